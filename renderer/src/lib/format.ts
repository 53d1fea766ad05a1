/** Words for the desk: queue states, sync phases, times. */
import type { QueueState, SyncStatus } from './types';

export const STATE_LABELS: Record<QueueState, string> = {
  pending: 'Queued',
  sending: 'Sending',
  synced: 'Synced',
  rejected: 'Rejected',
  in_doubt: 'In doubt',
};

export const STATE_HINTS: Record<QueueState, string> = {
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

/** The sync phase in words, with what happens next. */
export function describeSync(status: SyncStatus | null): { tone: 'ok' | 'busy' | 'warn' | 'bad' | 'idle'; text: string } {
  if (!status) return { tone: 'idle', text: 'Checking sync…' };
  const retry = status.nextAttemptAt ? ` · retrying at ${formatTime(status.nextAttemptAt)}` : '';
  switch (status.phase) {
    case 'idle':
      return status.counts.pending + status.counts.in_doubt > 0 ? { tone: 'warn', text: 'Waiting to sync' } : { tone: 'ok', text: 'Up to date' };
    case 'syncing':
      return { tone: 'busy', text: 'Syncing…' };
    case 'offline':
      return { tone: 'bad', text: `Spirii unreachable${retry}` };
    case 'backoff':
      return { tone: 'warn', text: `Sync failed${retry}` };
    case 'rate-limited':
      return { tone: 'warn', text: `Spirii asked to slow down${retry}` };
    case 'paused-auth':
      return { tone: 'bad', text: 'API key refused · sync paused' };
    case 'stopped':
      return { tone: 'idle', text: 'Sync stopped' };
  }
}

export function describeOnline(online: boolean | null | undefined): string {
  if (online === true) return 'Online';
  if (online === false) return 'Offline';
  return 'Connecting';
}
