/**
 * The enrollment session: every token queued since it started (kept live by `queue` events), and
 * the taps refused on the way, for the Enroll screen's list and the Summary screen.
 */
import { SvelteMap } from 'svelte/reactivity';
import { describeError, station } from '../lib/station';
import type { CallOutput, QueuedToken, TapOutcome } from '../lib/types';

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
  private readonly byId = new SvelteMap<number, QueuedToken>();

  /** Newest first. */
  readonly rows = $derived([...this.byId.values()].sort((a, b) => b.id - a.id));

  async start(): Promise<() => void> {
    const stopQueue = station.on('queue', (tokens) => this.merge(tokens));
    const stopTaps = station.on('tap', (outcome) => {
      if (outcome.status === 'refused') this.refused = [...this.refused, { ...outcome, at: Date.now() }];
    });
    const view = await station.call('session.get', {});
    this.reset(view.startedAt, view.tokens);
    return () => {
      stopQueue();
      stopTaps();
    };
  }

  async restart(): Promise<void> {
    const view = await station.call('session.restart', {});
    this.reset(view.startedAt, view.tokens);
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

  /** A token of this session left the queue (discarded). */
  remove(id: number): void {
    this.byId.delete(id);
  }

  private reset(startedAt: string, tokens: QueuedToken[]): void {
    this.startedAt = startedAt;
    this.byId.clear();
    this.merge(tokens);
    this.loaded = true;
  }

  private merge(tokens: readonly QueuedToken[]): void {
    if (this.startedAt === null) return;
    for (const token of tokens) {
      if (token.createdAt < this.startedAt) continue;
      // A discarded token has left the queue (its event may arrive before or after the discard call's answer).
      if (token.state === 'discarded') {
        this.byId.delete(token.id);
        continue;
      }
      const current = this.byId.get(token.id);
      if (current && current.updatedAt > token.updatedAt) continue;
      this.byId.set(token.id, token);
    }
  }
}

export const session = new SessionState();
