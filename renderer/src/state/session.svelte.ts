/**
 * The enrollment session: the tokens queued since it started (a view of the window's one queue
 * cache) and the taps refused on the way, for the Enroll screen's list and the Summary screen.
 */
import { describeError, station } from '../lib/station';
import type { CallOutput, QueuedToken, TapOutcome } from '../lib/types';
import { queue } from './queue.svelte';

export type SessionExportFormat = 'csv' | 'json';

export type Refused = Extract<TapOutcome, { status: 'refused' }> & { at: number };

class SessionState {
  startedAt = $state<string | null>(null);
  loaded = $state(false);
  /** Refused taps of this session (not stored by the core: they never became tokens). */
  refused = $state.raw<Refused[]>([]);
  /** The session's export: written by the core (save dialog, audit trail), never in the window. */
  exporting = $state<SessionExportFormat | null>(null);
  exportResult = $state.raw<CallOutput<'session.export'> | null>(null);
  exportError = $state<string | null>(null);

  /** The session's tokens still in the queue, newest first. */
  readonly rows = $derived.by((): QueuedToken[] => {
    const since = this.startedAt;
    return since === null ? [] : queue.rows.filter((token) => token.createdAt >= since);
  });

  async start(): Promise<() => void> {
    const stopTaps = station.on('tap', (outcome) => {
      if (outcome.status === 'refused') this.refused = [...this.refused, { ...outcome, at: Date.now() }];
    });
    this.reset(await station.call('session.get', {}));
    return stopTaps;
  }

  async restart(): Promise<void> {
    this.reset(await station.call('session.restart', {}));
    this.refused = [];
  }

  async exportTo(format: SessionExportFormat): Promise<void> {
    if (this.exporting) return;
    this.exporting = format;
    this.exportResult = null;
    this.exportError = null;
    try {
      this.exportResult = await station.call('session.export', { format });
    } catch (error) {
      this.exportError = describeError(error);
    } finally {
      this.exporting = null;
    }
  }

  private reset(view: CallOutput<'session.get'>): void {
    // The session's tokens may be older than the cache's first load holds: the cache takes them.
    queue.merge(view.tokens);
    this.startedAt = view.startedAt;
    this.loaded = true;
  }
}

export const session = new SessionState();
