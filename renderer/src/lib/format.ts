/** Words for the desk: queue states, sync phases, times. */
import type { QueueState, SyncStatus } from './types';

export const STATE_LABELS: Record<QueueState, string> = {
  held: 'Held',
  discarded: 'Discarded',
  pending: 'Queued',
  sending: 'Sending',
  synced: 'Synced',
  rejected: 'Rejected',
  in_doubt: 'In doubt',
};

export const STATE_HINTS: Record<QueueState, string> = {
  held: 'Saved on this computer and held back (the hold period) so a mistake can still be fixed; released at the time shown or by the desk',
  discarded: 'Discarded by the desk: never sent',
  pending: 'Saved on this computer, waiting to be sent to Spirii',
  sending: 'Being sent to Spirii now',
  synced: 'Created in Spirii',
  rejected: 'Spirii refused this token: see the error',
  in_doubt: 'Sent, but no answer came back: it will be looked up before anything is sent again',
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatTime(value: string | number | Date | null): string {
  if (value === null) return '';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '' : timeFormat.format(date);
}

/** "in 12 s", "in 3 min": how long until an epoch-ms time, from `now`. */
export function untilText(at: number, now: number): string {
  const seconds = Math.max(0, Math.ceil((at - now) / 1000));
  return seconds < 120 ? `in ${seconds} s` : `in ${Math.round(seconds / 60)} min`;
}

/** The sync phase in words, with what happens next ("next attempt in N s" counts down with `now`). */
export function describeSync(status: SyncStatus | null, now: number = Date.now()): { tone: 'ok' | 'busy' | 'warn' | 'bad' | 'idle'; text: string } {
  if (!status) return { tone: 'idle', text: 'Checking sync…' };
  const retry = status.nextAttemptAt ? ` · next attempt ${untilText(status.nextAttemptAt, now)}` : '';
  switch (status.phase) {
    case 'idle': {
      const { counts } = status;
      if (counts.pending + counts.in_doubt + counts.sending > 0) return { tone: 'warn', text: `Waiting to sync${retry}` };
      if (counts.held > 0) return { tone: 'ok', text: `Up to date · ${counts.held} held${status.nextAttemptAt ? `, first release ${untilText(status.nextAttemptAt, now)}` : ''}` };
      return { tone: 'ok', text: 'Up to date' };
    }
    case 'syncing':
      return { tone: 'busy', text: 'Syncing…' };
    case 'offline':
      return { tone: 'bad', text: `Spirii unreachable${retry}` };
    case 'backoff':
      return { tone: 'warn', text: `Sync failed${retry}` };
    case 'rate-limited':
      return { tone: 'warn', text: `Waiting for the rate limit${retry}` };
    case 'paused-auth':
      return { tone: 'bad', text: `Paused: API key refused${retry}` };
    case 'elsewhere':
      return { tone: 'warn', text: `Another Token Station is sending this queue${retry}` };
    case 'stopped':
      return { tone: 'idle', text: 'Sync stopped' };
  }
}

export function describeOnline(online: boolean | null | undefined): string {
  if (online === true) return 'Online';
  if (online === false) return 'Offline';
  return 'Connecting';
}
