/** The queued tokens on screen: the newest LIMIT rows, loaded once and then kept live by `queue` events. */
import { station } from '../lib/station';
import type { QueuedToken, QueueState } from '../lib/types';

export const LIMIT = 200;

/** How far along a row is, to settle two versions with the same timestamp. */
const PROGRESS: Record<QueueState, number> = { held: 0, pending: 0, sending: 1, in_doubt: 2, rejected: 3, synced: 3, discarded: 4 };

/** true when `incoming` is at least as recent as `current`. */
function isNewer(incoming: QueuedToken, current: QueuedToken): boolean {
  if (incoming.updatedAt !== current.updatedAt) return incoming.updatedAt > current.updatedAt;
  return PROGRESS[incoming.state] >= PROGRESS[current.state];
}

class QueueStore {
  /** Newest first. */
  rows = $state.raw<QueuedToken[]>([]);
  loaded = $state(false);
  /** Every row of the queue is on screen (it holds fewer than LIMIT). */
  readonly complete = $derived(this.loaded && this.rows.length < LIMIT);
  /** Rows with a larger id arrived while the app was open (they get a brief highlight). */
  loadedUpTo = $state(Number.MAX_SAFE_INTEGER);

  private readonly byId = new Map<number, QueuedToken>();

  /** Listen first, then load, so no change falls between the two. */
  async start(onChange?: () => void): Promise<() => void> {
    const stop = station.on('queue', (tokens) => {
      this.merge(tokens);
      onChange?.();
    });
    const list = await station.call('queue.list', { limit: LIMIT });
    this.merge(list);
    this.loadedUpTo = list[0]?.id ?? 0;
    this.loaded = true;
    return stop;
  }

  /** Take changed rows (from an event or a list), keeping whichever version of each is newer. */
  merge(tokens: readonly QueuedToken[]): void {
    let changed = false;
    for (const token of tokens) {
      const current = this.byId.get(token.id);
      if (current && !isNewer(token, current)) continue;
      // A discarded token leaves the live list (the Queue screen can still show it, filtered).
      if (token.state === 'discarded') {
        changed = this.byId.delete(token.id) || changed;
        continue;
      }
      this.byId.set(token.id, token);
      changed = true;
    }
    if (!changed) return;
    const rows = [...this.byId.values()].sort((a, b) => b.id - a.id);
    for (const dropped of rows.splice(LIMIT)) this.byId.delete(dropped.id);
    this.rows = rows;
  }

  /** A row that left the queue (discarded). */
  remove(id: number): void {
    if (!this.byId.delete(id)) return;
    this.rows = this.rows.filter((row) => row.id !== id);
  }

  /** The row on screen with this id (reactive: reads `rows`). */
  find(id: number): QueuedToken | undefined {
    return this.rows.find((row) => row.id === id);
  }
}

export const queue = new QueueStore();
