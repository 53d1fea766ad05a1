/**
 * The window's one copy of the queue's tokens. Every token the window hears of (the first load,
 * `queue` events, the session's list, the Queue screen's filtered lists, an undo's answer) is
 * merged here by one rule, and the header, the Queue screen, the Session and the last-tap panel
 * derive what they show from it: no screen keeps a second copy that could say otherwise.
 */
import { SvelteMap } from 'svelte/reactivity';
import { station } from '../lib/station';
import type { QueuedToken, QueueState } from '../lib/types';

/** The first load: the newest tokens, discarded ones too (their count is shown on the Queue screen). */
export const LIMIT = 200;

export const STATES: readonly QueueState[] = ['held', 'pending', 'sending', 'in_doubt', 'rejected', 'synced', 'discarded'];

export type QueueCounts = Record<QueueState, number>;

export const noCounts = (): QueueCounts => ({ held: 0, pending: 0, sending: 0, in_doubt: 0, rejected: 0, synced: 0, discarded: 0 });

/** How far along a token is, to settle two versions with the same timestamp. */
const PROGRESS: Record<QueueState, number> = { held: 0, pending: 0, sending: 1, in_doubt: 2, rejected: 3, synced: 3, discarded: 4 };

/** The merge rule: true when `incoming` is at least as recent as `current`. */
export function isNewer(incoming: QueuedToken, current: QueuedToken): boolean {
  if (incoming.updatedAt !== current.updatedAt) return incoming.updatedAt > current.updatedAt;
  return PROGRESS[incoming.state] >= PROGRESS[current.state];
}

class QueueCache {
  loaded = $state(false);
  /**
   * The first load held the whole queue, and every change since has come as an event: counting
   * the cache is counting the queue. Otherwise the counts are the core's (`app.counts`).
   */
  complete = $state(false);

  /** Discarded tokens stay here, so a view can say a card was discarded rather than show an old state. */
  private readonly byId = new SvelteMap<number, QueuedToken>();

  /** The tokens still in the queue (not discarded), newest first. */
  readonly rows = $derived([...this.byId.values()].filter((token) => token.state !== 'discarded').sort((a, b) => b.id - a.id));

  /** Tokens by state, counted from the cache (meaningful while `complete`). */
  readonly counted = $derived.by((): QueueCounts => {
    const counts = noCounts();
    for (const token of this.byId.values()) counts[token.state]++;
    return counts;
  });

  /** Listen first, then load, so no change falls between the two. */
  async start(onChange?: () => void): Promise<() => void> {
    const stop = station.on('queue', (tokens) => {
      this.merge(tokens);
      onChange?.();
    });
    const list = await station.call('queue.list', { limit: LIMIT, states: [...STATES] });
    this.merge(list);
    this.complete = list.length < LIMIT;
    this.loaded = true;
    return stop;
  }

  /** Take tokens from anywhere, keeping whichever version of each is newer. */
  merge(tokens: readonly QueuedToken[]): void {
    for (const token of tokens) {
      const current = this.byId.get(token.id);
      if (!current || isNewer(token, current)) this.byId.set(token.id, token);
    }
  }

  /**
   * The core's own counts (a sync status) against the cache's: they agree while the cache is
   * complete, since a status is sent after the events it counts. A change the window was not
   * told of one by one (an import announces only its newest rows) makes them differ: from then
   * on the core's counts are the ones shown.
   */
  verify(counts: QueueCounts): void {
    if (!this.complete) return;
    const counted = this.counted;
    if (STATES.some((state) => counted[state] !== counts[state])) this.complete = false;
  }

  /** The token with this id as the window knows it now (reactive). */
  get(id: number): QueuedToken | undefined {
    return this.byId.get(id);
  }
}

export const queue = new QueueCache();
