/**
 * The last card a reader saw, in the window's language: what became of it, why (from the core's
 * detail, the English when there is none), the card's type and a reader's status word.
 */
import { stateLabel } from './format';
import { describeUidProblem } from './uid-problem';
import { formatName, nameOf, t } from './readers.messages';
import type { CallOutput } from './types';

type Status = CallOutput<'readers.status'>;
type LastCard = NonNullable<Status['lastCard']>;
type CardKind = NonNullable<LastCard['card']>;
type LastDetail = NonNullable<LastCard['detail']>;
type Unreadable = Extract<LastDetail, { key: 'unreadable' }>['params']['unreadable'];

export type LastCardOutcome = NonNullable<CallOutput<'readers.status'>['lastCard']>['outcome'];

/** What became of the last card: its words and the pill's tone (states.css `.pill-*`). */
const OUTCOMES = {
  queued: { text: 'outcomeQueued', tone: 'pending' },
  'label-needed': { text: 'outcomeLabelNeeded', tone: 'held' },
  refused: { text: 'outcomeRefused', tone: 'rejected' },
  unreadable: { text: 'outcomeUnreadable', tone: 'rejected' },
  ignored: { text: 'outcomeIgnored', tone: 'discarded' },
  repeat: { text: 'outcomeRepeat', tone: 'discarded' },
  identified: { text: 'outcomeIdentified', tone: 'synced' },
} as const satisfies Record<LastCardOutcome, { text: Parameters<typeof t>[0]; tone: string }>;

/** What became of the last card, in words, and the pill's tone. */
export function describeOutcome(outcome: LastCardOutcome): { text: string; tone: string } {
  const { text, tone } = OUTCOMES[outcome];
  return { text: t(text), tone };
}

/** The card kinds worded by one sentence, their values (an ATR, a type) taken from the kind's params as they are. */
const CARD_KINDS = {
  'no-atr': 'cardNoAtr',
  memory: 'cardMemory',
  phone: 'cardPhone',
  iso14443: 'cardIso14443',
  unrecognised: 'cardUnrecognised',
  simulated: 'cardSimulated',
} as const satisfies Record<Exclude<CardKind['key'], 'named' | 'wedge'>, Parameters<typeof t>[0]>;

/** A card's type in words: a product name as it is, a wedge with its format's name. */
export function describeCardKind(card: CardKind): string {
  if (card.key === 'named') return card.params.name;
  if (card.key === 'wedge') return t('cardWedge', { format: formatName(card.params.format) });
  return t(CARD_KINDS[card.key], card.params);
}

/** The last card's type in words (the core's English when it gave no kind). */
export function describeCard(card: Pick<LastCard, 'card' | 'cardType'>): string | null {
  return card.card ? describeCardKind(card.card) : card.cardType;
}

const STATUS_WORDS = {
  '6281': 'sw6281',
  '6300': 'sw6300',
  '6700': 'sw6700',
  '6A81': 'sw6A81',
  '6A82': 'sw6A82',
  '6B00': 'sw6B00',
  '6D00': 'sw6D00',
  '6E00': 'sw6E00',
  '6F00': 'sw6F00',
} as const;

/** "6A 81 (the reader does not support this function)". */
export function describeStatusWord(sw: string): string {
  const upper = sw.toUpperCase();
  const spaced = `${upper.slice(0, 2)} ${upper.slice(2)}`;
  const key = STATUS_WORDS[upper as keyof typeof STATUS_WORDS];
  return key ? `${spaced} (${t(key)})` : spaced;
}

function unreadableText(detail: Unreadable, card: string, reader: string): string {
  switch (detail.key) {
    case 'phone':
      return t('lastPhone', { atr: detail.params.atr ?? t('noAtr') });
    case 'left':
      return t('lastLeft', { card, got: detail.params.got === null ? t('lastGotNothing') : t('lastGotOnly', { hex: detail.params.got }) });
    case 'status-word':
      return t('lastStatusWord', { card, sw: describeStatusWord(detail.params.statusWord), atr: detail.params.atr ?? t('noAtr') });
    case 'bad-uid':
      return t('lastBadUid', { card, problem: detail.params.problem ? describeUidProblem(detail.params.problem) : '' });
    case 'wedge-not-uid':
      return t('lastWedgeNotUid', {
        reader,
        typed: detail.params.typed,
        format: formatName(detail.params.format),
        problem: detail.params.problem ? describeUidProblem(detail.params.problem) : '',
      });
  }
}

function placeOf(token: NonNullable<Extract<LastDetail, { key: 'refused' }>['params']['existing']>): string {
  let place = t('lastPlace', { state: stateLabel(token.state).toLocaleLowerCase(), customer: String(token.customerId) });
  if (token.label) place += t('lastPlaceLabel', { label: token.label });
  if (token.spiriiId !== null) place += t('lastPlaceSpirii', { id: String(token.spiriiId) });
  return place;
}

function refusalText(detail: Extract<LastDetail, { key: 'refused' }>, uid: string | null): string | null {
  switch (detail.params.reason) {
    case 'no-customer':
      return t('lastNoCustomer');
    case 'invalid-uid':
      return t('lastInvalidUid');
    case 'duplicate':
      return detail.params.existing ? t('lastDuplicate', { uid: detail.params.existing.uid, place: placeOf(detail.params.existing) }) : null;
    case 'label-pending':
      return t('lastLabelPending');
    case 'random-uid':
      return uid ? t('lastRandomUid', { uid }) : null;
    case 'label-used':
      return detail.params.existing?.label ? t('lastLabelUsed', { label: detail.params.existing.label, uid: detail.params.existing.uid }) : null;
    case 'unreadable':
      return null;
    case 'not-saved':
      return uid ? t('lastNotSaved', { uid }) : null;
  }
}

/**
 * Why the last card ended as it did, in the window's language; the core's English when there is
 * no detail for it (null when there is nothing to say).
 */
export function describeLastCard(card: LastCard): string | null {
  const detail = card.detail;
  if (!detail) return card.message;
  const reader = nameOf(card.reader);
  let text: string | null;
  switch (detail.key) {
    case 'ignored':
      text = t('lastIgnored', { reader, chosen: detail.params.chosen ?? t('any') });
      break;
    case 'repeat':
      text = t('lastRepeat', { seconds: detail.params.seconds });
      break;
    case 'refused':
      text = refusalText(detail, card.uid);
      break;
    case 'label-needed':
      text = t('lastLabelNeeded');
      break;
    case 'unreadable':
      text = unreadableText(detail.params.unreadable, describeCard(card) ?? t('cardNoAtr'), reader);
      break;
  }
  return text ?? card.message;
}
