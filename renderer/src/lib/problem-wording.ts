/**
 * The core's refusals and errors in the desk's words, English and Danish, from the structured
 * detail the core sends next to its English message (electron/core/problem-detail.ts), never by reading
 * the English. Outside text (Spirii's own words, an OS error) is kept as it came, inside the
 * sentence. Without a detail (an older row, a message the core has no detail for) the core's
 * English is shown as it is.
 */
import { defineMessages } from './i18n.svelte';
import { stateLabel } from './format';
import { describeUidProblem } from './uid-problem';
import type { CallProblem, QueuedToken, QueueState, RequestProblem, SyncStatus, TapOutcome, TokenProblem } from './types';

const t = defineMessages({
  en: {
    unreachable: 'Cannot reach {host} ({code}): working offline',
    noAnswerInTime: 'No answer from {host} in time',
    connectionFailed: 'Connection to {host} failed: {reason}',
    keyRefused: 'Spirii refused the API key ({status}): enter a valid key. {spirii}',
    slowDown: 'Spirii asked to slow down ({status})',
    spiriiAnswered: 'Spirii answered {status}: {spirii}',
    elsewhere: 'Another Token Station is sending this queue; waiting for it to finish',
    elsewherePid: 'Another Token Station (process {pid}) is sending this queue; waiting for it to finish',
    unexpected: 'Sync failed unexpectedly: {error}',
    refused: 'Spirii refused this token: {spirii}',
    refusedBurnt: 'Spirii refuses this UID as a duplicate but lists no such token (a deleted token burns its UID): {spirii}',
    conflictSending: 'Already in Spirii as {place}: not sent. Discard it here, or retry once Spirii no longer has it.',
    conflictAfterDoubt: 'Spirii has this UID as {place}, not the customer and label queued here: not adopted, and not sent again.',
    inSpiriiTwice: 'Spirii holds this UID more than once: {places}. Not synced: keep one in Spirii and discard or fix this one.',
    spiriiPlace: 'token {id} for customer {customer}',
    inDoubt: '{cause}: will check Spirii before sending again',
    notInAnswer: "Spirii's answer did not list this card: will check before sending again",
    interrupted: 'The app stopped while this token was being sent: will check Spirii before sending again',
    lookupFailed: 'Spirii says a card of this list exists; the lookup failed and will be retried ({spirii})',
    noSuchToken: 'There is no queued token {id}',
    notLocalOnly: 'Token {uid} cannot be {action}: {why}. Only held, pending and rejected tokens can be.',
    edited: 'edited',
    discarded: 'discarded',
    whySending: 'it is being sent to Spirii right now',
    whySynced: 'it is already in Spirii (token {id})',
    whyInDoubt: 'it may already be in Spirii: it is looked up first',
    whyDiscarded: 'it was discarded',
    tooLong: '{field}: at most {max} characters',
    expiresAfter: '“Expires at” must be after “valid from”',
    invalidField: '{field}: not a valid value',
    fieldLabel: 'Label',
    fieldCustomerId: 'Customer number',
    fieldValidFrom: 'Valid from',
    fieldExpiresAt: 'Expires at',
    fieldBillingReference: 'Billing reference',
    fieldComment: 'Comment',
    fieldLabelPrefix: 'Label prefix',
    fieldLabelNext: 'Next number',
    fieldLabelDigits: 'Digits',
    fieldLabelSuffix: 'Label suffix',
    noCardWaiting: 'No card is waiting for a label: tap a card first',
    noCustomer: 'Choose a customer before tapping cards',
    duplicate: 'Card {uid} is already in the queue ({place})',
    labelUsed: 'Label {label} is already on card {uid} ({place}): a label belongs to one card, and Spirii can never change it. Give this card its own label.',
    labelInSpirii: 'Label {label} is already in Spirii on card {uid} (token {id}, customer {customer}): a label belongs to one card, and Spirii can never change it. Give this card its own label.',
    localPlace: '{state}, customer {customer}',
    withLabel: ', label {label}',
    withSpiriiId: ', Spirii token {id}',
    randomUid:
      'UID {uid} is a random ID (4 bytes starting with 08): this card or phone shows a different UID at every tap, so it cannot be a charging token. Use a card with a fixed UID.',
    invalidUid: '{message}',
    notSaved: 'Card {uid} was NOT saved: the disk holding the data folder is full or cannot be written. Free some space, then tap it again.',
    labelPending: 'Card {waiting} is still waiting for its label: give it (or skip it) before the next card',
    'w.expiresBefore': 'Expires must be after Valid from: change it in Edit.',
    'w.expired': 'Expires is already past: change it in Edit.',
    'w.noCustomer': 'Spirii has no customer {customer}: choose the right customer in Edit.',
    unknownCustomer: 'Spirii has no customer {customer}: choose the right customer and enroll the card again',
    'w.tooLong': '{field} is too long (at most {max} characters): shorten it in Edit.',
    'w.badUid': 'Spirii does not accept this UID: discard the token and read the card again.',
    'w.badDate': '{field} is not a date Spirii accepts: change it in Edit.',
    'w.other': '{field}: Spirii refused the value: change it in Edit.',
    'w.forIt': '(Spirii: {spirii})',
    'f.expiresAt': 'Expires',
    'f.validFrom': 'Valid from',
    'f.label': 'Label',
    'f.customerId': 'Customer',
    'f.billingReference': 'Billing reference',
    'f.comment': 'Comment',
  },
  da: {
    unreachable: 'Kan ikke nå {host} ({code}): arbejder offline',
    noAnswerInTime: 'Intet svar fra {host} i tide',
    connectionFailed: 'Forbindelsen til {host} fejlede: {reason}',
    keyRefused: 'Spirii afviste API-nøglen ({status}): indtast en gyldig nøgle. {spirii}',
    slowDown: 'Spirii bad om at sætte tempoet ned ({status})',
    spiriiAnswered: 'Spirii svarede {status}: {spirii}',
    elsewhere: 'En anden Token Station sender denne kø; venter på, at den bliver færdig',
    elsewherePid: 'En anden Token Station (proces {pid}) sender denne kø; venter på, at den bliver færdig',
    unexpected: 'Synkroniseringen fejlede uventet: {error}',
    refused: 'Spirii afviste dette token: {spirii}',
    refusedBurnt: 'Spirii afviser UID’et som dublet, men viser intet sådant token (et slettet token bruger sit UID op for altid): {spirii}',
    conflictSending: 'Findes allerede i Spirii som {place}: ikke sendt. Kassér det her, eller prøv igen, når Spirii ikke længere har det.',
    conflictAfterDoubt: 'Spirii har dette UID som {place}, ikke den kunde og etiket, der står i køen her: ikke overtaget og ikke sendt igen.',
    inSpiriiTwice: 'Spirii har dette UID mere end én gang: {places}. Ikke synkroniseret: behold ét i Spirii, og kassér eller ret dette.',
    spiriiPlace: 'token {id} for kunde {customer}',
    inDoubt: '{cause}: tjekkes i Spirii, før det sendes igen',
    notInAnswer: 'Spiriis svar nævnte ikke dette kort: tjekkes, før det sendes igen',
    interrupted: 'Appen stoppede, mens dette token blev sendt: tjekkes i Spirii, før det sendes igen',
    lookupFailed: 'Spirii siger, at et kort i listen findes; opslaget fejlede og prøves igen ({spirii})',
    noSuchToken: 'Der er intet token {id} i køen',
    notLocalOnly: 'Token {uid} kan ikke {action}: {why}. Kun tilbageholdte, ventende og afviste tokens kan.',
    edited: 'rettes',
    discarded: 'kasseres',
    whySending: 'det sendes til Spirii lige nu',
    whySynced: 'det findes allerede i Spirii (token {id})',
    whyInDoubt: 'det findes måske allerede i Spirii: det slås op først',
    whyDiscarded: 'det er kasseret',
    tooLong: '{field}: højst {max} tegn',
    expiresAfter: '“Udløber” skal ligge efter “gyldig fra”',
    invalidField: '{field}: ugyldig værdi',
    fieldLabel: 'Etiket',
    fieldCustomerId: 'Kundenummer',
    fieldValidFrom: 'Gyldig fra',
    fieldExpiresAt: 'Udløber',
    fieldBillingReference: 'Faktureringsreference',
    fieldComment: 'Kommentar',
    fieldLabelPrefix: 'Etiketpræfiks',
    fieldLabelNext: 'Næste nummer',
    fieldLabelDigits: 'Cifre',
    fieldLabelSuffix: 'Etiketsuffiks',
    noCardWaiting: 'Intet kort venter på en etiket: tap et kort først',
    noCustomer: 'Vælg en kunde, før du tapper kort',
    duplicate: 'Kort {uid} står allerede i køen ({place})',
    labelUsed: 'Etiketten {label} sidder allerede på kort {uid} ({place}): en etiket hører til ét kort, og Spirii kan aldrig ændre den. Giv dette kort sin egen etiket.',
    labelInSpirii: 'Etiketten {label} findes allerede i Spirii på kort {uid} (token {id}, kunde {customer}): en etiket hører til ét kort, og Spirii kan aldrig ændre den. Giv dette kort sin egen etiket.',
    localPlace: '{state}, kunde {customer}',
    withLabel: ', etiket {label}',
    withSpiriiId: ', Spirii-token {id}',
    randomUid:
      'UID {uid} er et tilfældigt ID (4 byte, der starter med 08): kortet eller telefonen viser et nyt UID ved hvert tap, så det kan ikke være et ladekort. Brug et kort med fast UID.',
    notSaved: 'Kort {uid} er IKKE gemt: disken med datamappen er fuld eller kan ikke skrives. Frigør plads, og tap kortet igen.',
    invalidUid: '“{input}” er ikke et kort-UID: et UID er 4, 7 eller 10 byte skrevet i hex (0-9 og A-F)',
    labelPending: 'Kort {waiting} venter stadig på sin etiket: giv den (eller spring kortet over) før det næste kort',
    'w.expiresBefore': 'Udløber skal være efter Gyldig fra: ret det under Redigér.',
    'w.expired': 'Udløber er allerede passeret: ret det under Redigér.',
    'w.noCustomer': 'Spirii har ingen kunde {customer}: vælg den rigtige kunde under Redigér.',
    unknownCustomer: 'Spirii har ingen kunde {customer}: vælg den rigtige kunde, og tilmeld kortet igen',
    'w.tooLong': '{field} er for lang (højst {max} tegn): forkort den under Redigér.',
    'w.badUid': 'Spirii tager ikke imod dette UID: kassér tokenet, og læs kortet igen.',
    'w.badDate': '{field} er ikke en dato, Spirii tager imod: ret den under Redigér.',
    'w.other': '{field}: Spirii afviste værdien: ret den under Redigér.',
    'w.forIt': '(Spirii: {spirii})',
    'f.expiresAt': 'Udløber',
    'f.validFrom': 'Gyldig fra',
    'f.label': 'Etiket',
    'f.customerId': 'Kunde',
    'f.billingReference': 'Fakturareference',
    'f.comment': 'Kommentar',
  },
});

/** Ids and customer numbers as they are written elsewhere on screen: plain digits, no grouping. */
const id = (n: number) => String(n);

export function describeRequestProblem(problem: RequestProblem): string {
  switch (problem.key) {
    case 'unreachable':
      return t('unreachable', problem.params);
    case 'no-answer-in-time':
      return t('noAnswerInTime', problem.params);
    case 'connection-failed':
      return t('connectionFailed', problem.params);
    case 'key-refused':
      return t('keyRefused', { status: id(problem.params.status), spirii: problem.params.spirii }).trim();
    case 'slow-down':
      return t('slowDown', { status: id(problem.params.status) });
    case 'spirii-answered':
      return t('spiriiAnswered', { status: id(problem.params.status), spirii: problem.params.spirii });
    case 'elsewhere':
      return problem.params.pid === null ? t('elsewhere') : t('elsewherePid', { pid: id(problem.params.pid) });
    case 'unexpected':
      return t('unexpected', problem.params);
  }
}

function spiriiPlace(place: { spiriiId: number; customerId: number; label: string | null }): string {
  return t('spiriiPlace', { id: id(place.spiriiId), customer: id(place.customerId) }) + (place.label ? t('withLabel', { label: place.label }) : '');
}

export function describeTokenProblem(problem: TokenProblem): string {
  switch (problem.key) {
    case 'refused': {
      // Spirii's validation text turned into the field and what to do; its own words kept for IT.
      const words = spiriiValidation(problem.params.spirii);
      return words ? `${words} ${t('w.forIt', problem.params)}` : t('refused', problem.params);
    }
    case 'refused-burnt-uid':
      return t('refusedBurnt', problem.params);
    case 'conflict':
      return t(problem.params.when === 'sending' ? 'conflictSending' : 'conflictAfterDoubt', { place: spiriiPlace(problem.params.place) });
    case 'in-spirii-twice':
      return t('inSpiriiTwice', { places: problem.params.places.map(spiriiPlace).join('; ') });
    case 'in-doubt':
      return t('inDoubt', { cause: describeRequestProblem(problem.params.cause) });
    case 'not-in-answer':
      return t('notInAnswer');
    case 'interrupted':
      return t('interrupted');
    case 'not-sent':
      return describeRequestProblem(problem.params.cause);
    case 'lookup-failed':
      return t('lookupFailed', problem.params);
    case 'unknown-customer':
      return t('unknownCustomer', { customer: id(problem.params.customerId) });
  }
}

/** A queued token's last error in words ('' when it has none); the core's English for a row without detail. */
export function tokenError(token: Pick<QueuedToken, 'lastError' | 'lastErrorDetail'>): string {
  if (token.lastErrorDetail) return describeTokenProblem(token.lastErrorDetail);
  return token.lastError ?? '';
}

type FieldKey = 'f.expiresAt' | 'f.validFrom' | 'f.label' | 'f.customerId' | 'f.billingReference' | 'f.comment';
const fieldWord = (field: string) => (['expiresAt', 'validFrom', 'label', 'customerId', 'billingReference', 'comment'].includes(field) ? t(`f.${field}` as FieldKey) : field);

/**
 * Spirii's validation messages ("tokens[0].expiresAt: must be after validFrom (…)", "customerId:
 * customer 9999 not found") as the field and what to do; null for a text it does not recognise.
 */
export function spiriiValidation(spirii: string): string | null {
  const m = /(?:^|\s|\]\.|\.)(?:identifier\.)?(uid|label|customerId|validFrom|expiresAt|billingReference|comment):\s*(.+)$/.exec(spirii.trim());
  if (!m) return null;
  const [, field, rest] = m as unknown as [string, string, string];
  if (field === 'expiresAt' && /must be after validFrom/i.test(rest)) return t('w.expiresBefore');
  if (field === 'expiresAt' && /past|expired/i.test(rest)) return t('w.expired');
  const customer = /customer (\d+) not found/i.exec(rest);
  if (field === 'customerId' && customer) return t('w.noCustomer', { customer: customer[1]! });
  const max = /at most (\d+) characters/i.exec(rest);
  if (max) return t('w.tooLong', { field: fieldWord(field), max: max[1]! });
  if (field === 'uid') return t('w.badUid');
  if (/date-time|ISO-8601/i.test(rest)) return t('w.badDate', { field: fieldWord(field) });
  return t('w.other', { field: fieldWord(field) });
}

/** Whether Retry can succeed: not when Spirii refused the token's own values (only an Edit helps). */
export function retryCanSucceed(token: Pick<QueuedToken, 'lastErrorDetail'>): boolean {
  const key = token.lastErrorDetail?.key;
  return key !== 'refused' && key !== 'refused-burnt-uid' && key !== 'unknown-customer';
}

/** Just what Spirii said, when it refused the token itself (for a sentence that already says "Spirii refused"). */
export function spiriiWords(token: Pick<QueuedToken, 'lastErrorDetail'>): string | null {
  const detail = token.lastErrorDetail;
  return detail?.key === 'refused' ? detail.params.spirii : null;
}

/** The sync's last problem in words, or null. */
export function syncError(status: SyncStatus | null): string | null {
  if (!status?.lastError) return null;
  return status.lastErrorDetail ? describeRequestProblem(status.lastErrorDetail) : status.lastError;
}

const FIELDS: Record<string, Parameters<typeof t>[0]> = {
  label: 'fieldLabel',
  customerId: 'fieldCustomerId',
  validFrom: 'fieldValidFrom',
  expiresAt: 'fieldExpiresAt',
  billingReference: 'fieldBillingReference',
  comment: 'fieldComment',
  labelPrefix: 'fieldLabelPrefix',
  labelNext: 'fieldLabelNext',
  labelDigits: 'fieldLabelDigits',
  labelSuffix: 'fieldLabelSuffix',
};

function whyNotLocal(state: string, spiriiId: number | null): string {
  switch (state) {
    case 'sending':
      return t('whySending');
    case 'synced':
      return t('whySynced', { id: spiriiId === null ? '' : id(spiriiId) });
    case 'in_doubt':
      return t('whyInDoubt');
    case 'discarded':
      return t('whyDiscarded');
    default:
      return stateLabel(state as QueueState).toLocaleLowerCase();
  }
}

/** A failed call's detail in words. */
export function describeCallProblem(problem: CallProblem): string {
  switch (problem.key) {
    case 'no-such-token':
      return t('noSuchToken', { id: id(problem.params.id) });
    case 'not-local-only':
      return t('notLocalOnly', {
        uid: problem.params.uid,
        action: t(problem.params.action),
        why: whyNotLocal(problem.params.state, problem.params.spiriiId),
      });
    case 'invalid-field': {
      const { field, max, afterValidFrom } = problem.params;
      if (afterValidFrom) return t('expiresAfter');
      const name = FIELDS[field] ? t(FIELDS[field]) : field;
      return max === null ? t('invalidField', { field: name }) : t('tooLong', { field: name, max });
    }
    case 'no-card-waiting':
      return t('noCardWaiting');
    default:
      return describeRequestProblem(problem);
  }
}

/** "pending, customer 1001, label A1": where a UID already is in the local queue. */
function localPlace(token: Pick<QueuedToken, 'state' | 'customerId' | 'label' | 'spiriiId'>): string {
  return (
    t('localPlace', { state: stateLabel(token.state).toLocaleLowerCase(), customer: id(token.customerId) }) +
    (token.label ? t('withLabel', { label: token.label }) : '') +
    (token.spiriiId !== null ? t('withSpiriiId', { id: id(token.spiriiId) }) : '')
  );
}

/** A label already on another card of this desk, in the same words for a tap, `add` and an import's row. */
export function labelUsedText(holder: Pick<QueuedToken, 'uid' | 'state' | 'customerId' | 'label' | 'spiriiId'> & { label: string }): string {
  return t('labelUsed', { label: holder.label, uid: holder.uid, place: localPlace(holder) });
}

/** Why a tap was refused, in words; the core's (or reader's) message where there is nothing more to go on. */
export function tapRefusalMessage(refusal: Extract<TapOutcome, { status: 'refused' }>): string {
  const detail = refusal.detail;
  // What exactly is wrong with the UID when the parser said; else the general rule (English: the core's own sentence).
  if (detail?.key === 'invalid-uid') {
    return detail.params.problem ? describeUidProblem(detail.params.problem) : t('invalidUid', { input: detail.params.input, message: refusal.message });
  }
  if (detail?.key === 'label-pending') return t('labelPending', detail.params);
  if (detail?.key === 'label-in-spirii') {
    return t('labelInSpirii', { label: detail.params.label, uid: detail.params.uid, id: id(detail.params.spiriiId), customer: id(detail.params.customerId) });
  }
  switch (refusal.reason) {
    case 'no-customer':
      return t('noCustomer');
    case 'duplicate':
      return refusal.existing && refusal.uid ? t('duplicate', { uid: refusal.uid, place: localPlace(refusal.existing) }) : refusal.message;
    case 'random-uid':
      return refusal.uid ? t('randomUid', { uid: refusal.uid }) : refusal.message;
    case 'not-saved':
      return refusal.uid ? t('notSaved', { uid: refusal.uid }) : refusal.message;
    case 'label-used':
      return refusal.existing?.label ? labelUsedText({ ...refusal.existing, label: refusal.existing.label }) : refusal.message;
    default:
      return refusal.message;
  }
}
