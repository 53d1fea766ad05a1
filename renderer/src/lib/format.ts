/** Words for the desk: queue states, sync phases, times; in English and Danish. */
import { defineMessages, i18n } from './i18n.svelte';
import type { QueueState, SyncStatus } from './types';

const t = defineMessages({
  en: {
    held: 'Held',
    discarded: 'Discarded',
    hintHeld: 'Saved on this computer and held back (the hold period) so a mistake can still be fixed; released at the time shown or by the desk',
    hintDiscarded: 'Discarded by the desk: never sent',
    nextAttempt: ' · next attempt {when}',
    waitingNext: 'Waiting to sync{retry}',
    upToDateHeld: 'Up to date · {n} held{release}',
    firstRelease: ', first release {when}',
    inSeconds: 'in {n} s',
    inMinutes: 'in {n} min',
    rateLimit: 'Waiting for the rate limit{retry}',
    keyPaused: 'Paused: API key refused{retry}',
    elsewhere: 'Another Token Station is sending this queue{retry}',
    pending: 'Queued',
    sending: 'Sending',
    synced: 'Synced',
    rejected: 'Rejected',
    in_doubt: 'In doubt',
    hintPending: 'Saved on this computer, waiting to be sent to Spirii',
    hintSending: 'Being sent to Spirii now',
    hintSynced: 'Created in Spirii',
    hintRejected: 'Spirii refused this token: see the error',
    hintInDoubt: 'Sent, but no answer came back: it will be looked up before anything is sent again',
    checking: 'Checking sync…',
    waiting: 'Waiting to sync',
    upToDate: 'Up to date',
    notReached: 'Nothing to send · Spirii not reached yet',
    lastReached: 'Nothing to send · Spirii last reached at {time}',
    notReachedSince: 'Nothing to send · Spirii not reached since the app started',
    syncing: 'Syncing…',
    unreachable: 'Spirii unreachable{retry}',
    failed: 'Sync failed{retry}',
    stopped: 'Sync stopped',
    online: 'Online',
    offline: 'Offline',
    connecting: 'Connecting',
    yes: 'Yes',
    no: 'No',
  },
  da: {
    held: 'Tilbageholdt',
    discarded: 'Kasseret',
    hintHeld: 'Gemt på denne computer og holdt tilbage (ventetiden), så en fejl stadig kan rettes; frigives på det viste tidspunkt eller af skranken',
    hintDiscarded: 'Kasseret af skranken: aldrig sendt',
    nextAttempt: ' · næste forsøg {when}',
    waitingNext: 'Venter på synkronisering{retry}',
    upToDateHeld: 'Opdateret · {n} tilbageholdt{release}',
    firstRelease: ', første frigives {when}',
    inSeconds: 'om {n} s',
    inMinutes: 'om {n} min',
    rateLimit: 'Venter på hastighedsgrænsen{retry}',
    keyPaused: 'Sat på pause: API-nøgle afvist{retry}',
    elsewhere: 'En anden Token Station sender denne kø{retry}',
    pending: 'I kø',
    sending: 'Sendes',
    synced: 'Synkroniseret',
    rejected: 'Afvist',
    in_doubt: 'Uvis',
    hintPending: 'Gemt på denne computer, venter på at blive sendt til Spirii',
    hintSending: 'Sendes til Spirii nu',
    hintSynced: 'Oprettet i Spirii',
    hintRejected: 'Spirii afviste dette token: se fejlen',
    hintInDoubt: 'Sendt, men intet svar kom tilbage: det slås op, før noget sendes igen',
    checking: 'Tjekker synkronisering…',
    waiting: 'Venter på synkronisering',
    upToDate: 'Opdateret',
    notReached: 'Intet at sende · Spirii er ikke nået endnu',
    lastReached: 'Intet at sende · Spirii sidst nået kl. {time}',
    notReachedSince: 'Intet at sende · Spirii er ikke nået, siden appen startede',
    syncing: 'Synkroniserer…',
    unreachable: 'Spirii kan ikke nås{retry}',
    failed: 'Synkronisering fejlede{retry}',
    stopped: 'Synkronisering stoppet',
    online: 'Online',
    offline: 'Offline',
    connecting: 'Forbinder',
    yes: 'Ja',
    no: 'Nej',
  },
});

export function stateLabel(state: QueueState): string {
  return t(state);
}

export function stateHint(state: QueueState): string {
  switch (state) {
    case 'pending':
      return t('hintPending');
    case 'sending':
      return t('hintSending');
    case 'synced':
      return t('hintSynced');
    case 'rejected':
      return t('hintRejected');
    case 'in_doubt':
      return t('hintInDoubt');
    case 'held':
      return t('hintHeld');
    case 'discarded':
      return t('hintDiscarded');
  }
}

export function yesNo(value: boolean): string {
  return value ? t('yes') : t('no');
}

/** The BCP 47 tag for Intl formatting in the current language. */
export function intlLocale(): string {
  return i18n.locale === 'da' ? 'da-DK' : 'en-GB';
}

function validDate(value: string | number | Date | null): Date | null {
  if (value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Intl formatters are costly to make: one per locale and style, kept (a long list formats thousands of dates). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(style: 'time' | 'clock' | 'dateTime'): Intl.DateTimeFormat {
  const locale = intlLocale();
  const key = `${locale}:${style}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      locale,
      style === 'time'
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : style === 'clock'
          ? { hour: '2-digit', minute: '2-digit' }
          : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
    );
    formatters.set(key, format);
  }
  return format;
}

export function formatTime(value: string | number | Date | null): string {
  const date = validDate(value);
  return date ? formatter('time').format(date) : '';
}

/** Hours and minutes only ("09:41"), for "last reached at": seconds would only make it look exact. */
export function formatClock(value: string | number | Date | null): string {
  const date = validDate(value);
  return date ? formatter('clock').format(date) : '';
}

export function formatDateTime(value: string | number | Date | null): string {
  const date = validDate(value);
  return date ? formatter('dateTime').format(date) : '';
}

/**
 * The plural form the window's language uses for a count (Intl.PluralRules: "one" or "other" in
 * English and Danish), so a message can say "1 token" and "2 tokens" without an if per screen.
 * `locale` is for text in another language than the window's (the handover sheet's).
 */
export function pluralForm(n: number, locale: string = intlLocale()): 'one' | 'other' {
  return new Intl.PluralRules(locale).select(n) === 'one' ? 'one' : 'other';
}

export function formatNumber(value: number): string {
  return value.toLocaleString(intlLocale());
}

/** "in 12 s", "in 3 min": how long until an epoch-ms time, from `now`. */
export function untilText(at: number, now: number): string {
  const seconds = Math.max(0, Math.ceil((at - now) / 1000));
  return seconds < 120 ? t('inSeconds', { n: seconds }) : t('inMinutes', { n: Math.round(seconds / 60) });
}

/**
 * How long an answer from Spirii still counts as "Up to date": 2 minutes. A desk that is sending
 * talks to Spirii every few seconds (and a pass after each tap), so within 2 minutes of the last
 * card it stays "Up to date"; past that, an old answer says nothing about the network now, and the
 * header says when Spirii was last reached instead. Longer would hide a lost network from a clerk
 * for the length of a short queue of cards; shorter would flicker between two taps at a slow desk.
 */
export const REACHED_RECENTLY_MS = 120_000;

/** Spirii answered within REACHED_RECENTLY_MS of `now`. */
export function reachedRecently(status: SyncStatus | null, now: number = Date.now()): boolean {
  const reachedAt = status?.lastReachedAt ?? null;
  return reachedAt !== null && now - reachedAt <= REACHED_RECENTLY_MS;
}

/** The sync phase in words, with what happens next ("next attempt in N s" counts down with `now`). */
export function describeSync(status: SyncStatus | null, now: number = Date.now()): { tone: 'ok' | 'busy' | 'warn' | 'bad' | 'idle'; text: string } {
  if (!status) return { tone: 'idle', text: t('checking') };
  const retry = status.nextAttemptAt ? t('nextAttempt', { when: untilText(status.nextAttemptAt, now) }) : '';
  switch (status.phase) {
    case 'idle': {
      const { counts } = status;
      if (counts.pending + counts.in_doubt + counts.sending > 0) return { tone: 'warn', text: t('waitingNext', { retry }) };
      // "Up to date" only when Spirii answered recently: nothing pending is not the same as in sync,
      // and an answer from an hour ago says nothing about the network now.
      const reachedAt = status.lastReachedAt ?? null;
      if (status.online !== true || !reachedRecently(status, now)) {
        if (reachedAt === null) return { tone: status.online === false ? 'warn' : 'idle', text: t(status.online === false ? 'notReachedSince' : 'notReached') };
        return { tone: 'warn', text: t('lastReached', { time: formatClock(reachedAt) }) };
      }
      if (counts.held > 0) {
        const release = status.nextAttemptAt ? t('firstRelease', { when: untilText(status.nextAttemptAt, now) }) : '';
        return { tone: 'ok', text: t('upToDateHeld', { n: counts.held, release }) };
      }
      return { tone: 'ok', text: t('upToDate') };
    }
    case 'syncing':
      return { tone: 'busy', text: t('syncing') };
    case 'offline':
      return { tone: 'bad', text: t('unreachable', { retry }) };
    case 'backoff':
      return { tone: 'warn', text: t('failed', { retry }) };
    case 'rate-limited':
      return { tone: 'warn', text: t('rateLimit', { retry }) };
    case 'paused-auth':
      return { tone: 'bad', text: t('keyPaused', { retry }) };
    case 'elsewhere':
      return { tone: 'warn', text: t('elsewhere', { retry }) };
    case 'stopped':
      return { tone: 'idle', text: t('stopped') };
  }
}

export function describeOnline(online: boolean | null | undefined): string {
  if (online === true) return t('online');
  if (online === false) return t('offline');
  return t('connecting');
}

/** `<input type="datetime-local">` value (local time) for an ISO date-time, and back. */
export function toLocalInput(iso: string | null): string {
  const date = validDate(iso);
  if (!date) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
