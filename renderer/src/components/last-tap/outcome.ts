/**
 * What the last-tap panel says about a tap: its tone, its title, the token's progress towards
 * Spirii and the line read to screen readers. Plain functions of the outcome and the token as it
 * is now, so the panel only lays them out.
 */
import { formatTime } from '../../lib/format';
import { spiriiWords, tapRefusalMessage, tokenError } from '../../lib/problem-wording';
import type { QueuedToken, TapOutcome } from '../../lib/types';
import { t } from './lastTap.messages';

export type Refusal = Extract<TapOutcome, { status: 'refused' }>;
export type Tone = 'idle' | 'ask' | 'bad' | 'warn' | 'ok';

/** The token a tap is about, as it is now (`live` finds its current row), or the one a refusal points at. */
export function shownToken(outcome: TapOutcome | null, live: (id: number) => QueuedToken | undefined): QueuedToken | null {
  if (!outcome || outcome.status === 'label-needed') return null;
  const shown = outcome.status === 'queued' ? outcome.token : outcome.existing;
  return shown ? (live(shown.id) ?? shown) : null;
}

export function tappedUid(outcome: TapOutcome | null): string | null {
  return outcome?.status === 'queued' ? outcome.token.uid : (outcome?.uid ?? null);
}

/** Green for a card taken, amber while waiting for a label or Spirii's answer, red when refused here or by Spirii. */
export function toneOf(outcome: TapOutcome | null, token: QueuedToken | null): Tone {
  if (!outcome) return 'idle';
  if (outcome.status === 'label-needed') return 'ask';
  if (outcome.status === 'refused' || token?.state === 'rejected') return 'bad';
  return token?.state === 'in_doubt' ? 'warn' : 'ok';
}

/** The title of each refusal here; a duplicate says whether the card is already enrolled or only queued. */
const REFUSAL_TITLES: Record<Refusal['reason'], (existing: QueuedToken | null) => string> = {
  'no-customer': () => t('noCustomer'),
  'invalid-uid': () => t('unreadable'),
  unreadable: () => t('unreadable'),
  'label-pending': () => t('labelPending'),
  'label-used': () => t('labelUsed'),
  duplicate: (existing) => (existing?.state === 'synced' ? t('enrolledAlready') : t('queuedAlready')),
  'random-uid': () => t('randomUid'),
  'not-saved': () => t('notSaved'),
};

/** A queued card's title follows its token: added, then enrolled, refused by Spirii or not confirmed. */
function queuedTitle(token: QueuedToken | null): string {
  if (token?.state === 'synced') return t('enrolled');
  if (token?.state === 'rejected') return t('refusedBySpirii');
  if (token?.state === 'in_doubt') return t('notConfirmed');
  return t('added');
}

export function titleOf(outcome: TapOutcome | null, token: QueuedToken | null): string {
  if (!outcome) return '';
  if (outcome.status === 'queued') return queuedTitle(token);
  if (outcome.status === 'label-needed') return t('labelNeeded');
  return REFUSAL_TITLES[outcome.reason](token);
}

/** One line for screen readers: the title, the UID, then why it was refused, what to do next or the label. */
export function announcementOf(outcome: TapOutcome | null, token: QueuedToken | null): string {
  if (!outcome) return '';
  const parts = [titleOf(outcome, token) + '.'];
  const uid = tappedUid(outcome);
  if (uid) parts.push(t('announceUid', { uid }));
  if (outcome.status === 'refused') parts.push(tapRefusalMessage(outcome));
  else if (outcome.status === 'label-needed') parts.push(t('labelNeededSub'));
  else if (token?.label) parts.push(t('announceLabel', { label: token.label }));
  return parts.join(' ');
}

/** Where a queued token is on its way to Spirii, in one sentence. */
export function progressOf(token: QueuedToken): string {
  switch (token.state) {
    case 'pending':
      return t('progressPending');
    case 'sending':
      return t('progressSending');
    case 'synced':
      return t('progressSynced', { id: String(token.spiriiId ?? '') });
    case 'rejected': {
      // Spirii's own words after "Spirii refused it"; a conflict or other reason as its own sentence.
      const spirii = spiriiWords(token);
      if (spirii !== null || !token.lastError) return t('progressRejected', { error: spirii ?? t('noReason') });
      return tokenError(token);
    }
    case 'in_doubt':
      return t('progressInDoubt');
    case 'held':
      return t('progressHeld', { time: formatTime(token.holdUntil) });
    case 'discarded':
      return t('progressDiscarded');
  }
}

/** A UID broken only between byte groups: a break opportunity after every two hex digits. */
export function byteGroups(value: string): string[] {
  return /^[0-9A-F]+$/.test(value) ? (value.match(/.{1,2}/g) ?? [value]) : [value];
}
