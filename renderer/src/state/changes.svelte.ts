/**
 * Queued changes to tokens in Spirii (a bulk change from the Tokens screen is one batch): what the
 * core's change queue holds, kept up to date from its `changes` event, so the progress panels on
 * Tokens and Queue show the same thing and survive a reload of the window.
 */
import { describeError, station } from '../lib/station';
import type { ChangeBatch, ChangeConflict, ChangeTarget, QueuedChange, TokenChangeFields } from '../lib/types';

export type { ChangeBatch, ChangeConflict, ChangeTarget, TokenChangeFields };

/** The core announces every change that moves; the panels ask for the batches at most this often. */
const REFRESH_MS = 250;

class ChangesState {
  batches = $state.raw<ChangeBatch[]>([]);
  /** The changes waiting for the clerk's choice (Spirii changed the token since the desk read it). */
  conflicts = $state.raw<ChangeConflict[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);
  private subscribed = false;
  private readonly listeners = new Set<(changes: QueuedChange[]) => void>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /** Batches not finished yet (sending, paused, or waiting for the clerk's choice), newest first. */
  get open(): ChangeBatch[] {
    return this.batches.filter((batch) => batch.state === 'sending' || batch.state === 'paused' || batch.state === 'waiting-for-you');
  }

  /** Start following the core (idempotent): the list now, then again whenever changes move. */
  start(): void {
    if (!this.subscribed) {
      this.subscribed = true;
      station.on('changes', (moved) => {
        for (const listener of this.listeners) listener(moved);
        this.refreshTimer ??= setTimeout(() => {
          this.refreshTimer = undefined;
          void this.reload();
        }, REFRESH_MS);
      });
    }
    void this.reload();
  }

  /** Every change that moved, as the core announces it (the Tokens list applies what Spirii now has). */
  onMoved(listener: (changes: QueuedChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async reload(): Promise<void> {
    try {
      const [batches, conflicts] = await Promise.all([station.call('changes.batches', {}), station.call('changes.conflicts', {})]);
      this.batches = batches;
      this.conflicts = conflicts;
      this.loaded = true;
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** One change for all these tokens, queued as one batch. */
  async queue(targets: ChangeTarget[], fields: TokenChangeFields): Promise<ChangeBatch> {
    const batch = await station.call('changes.queue', { targets, fields });
    this.merge(batch);
    return batch;
  }

  async pause(id: number): Promise<void> {
    await this.act(() => station.call('changes.pause', { batchId: id }));
  }

  async resume(id: number): Promise<void> {
    await this.act(() => station.call('changes.resume', { batchId: id }));
  }

  /** What has not been sent is cancelled; what was sent stays sent. */
  async cancel(id: number): Promise<void> {
    await this.act(() => station.call('changes.cancel', { batchId: id }));
  }

  /** The clerk's choice for a change in conflict; the batches follow from the core's event. */
  async choose(id: number, choice: 'apply-mine' | 'keep-spirii'): Promise<void> {
    try {
      this.conflicts = await station.call('changes.choose', { id, choice });
      this.error = null;
    } catch (error) {
      // Chosen elsewhere meanwhile (the CLI, another window): show what is still in conflict.
      await this.reload();
      this.error = describeError(error);
    }
  }

  private async act(run: () => Promise<ChangeBatch>): Promise<void> {
    try {
      this.merge(await run());
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private merge(batch: ChangeBatch): void {
    const rest = this.batches.filter((b) => b.id !== batch.id);
    this.batches = [batch, ...rest].sort((a, b) => b.id - a.id);
  }
}

export const changes = new ChangesState();
