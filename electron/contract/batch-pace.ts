/**
 * The time a batch of changes still takes, as the window is told it. The core's estimate is the
 * least time at Spirii's write limit (one PATCH a change), but each change is also read before it
 * is sent, and the limit is known only once Spirii has answered a write. So once a batch has moved
 * for a few seconds, the estimate is the pace it really kept over the last minute, never less
 * than the core's least time.
 */
import type { BatchProgress } from '../core/changes/types';

/** The pace is measured over this much of the recent past. */
const WINDOW_MS = 60_000;
/** Below this span or this many changes settled, the pace says nothing yet: the core's estimate stands. */
const MIN_SPAN_MS = 3_000;
const MIN_SETTLED = 5;

export class BatchPace {
  private readonly samples = new Map<number, { at: number; settled: number }[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The time left for this batch, in ms; null when nothing waits. */
  etaMs(progress: BatchProgress): number | null {
    const id = progress.batchId;
    if (progress.waiting === 0) {
      this.samples.delete(id);
      return null;
    }
    if (progress.paused) {
      // A pause is no pace: measuring starts again once it is resumed.
      this.samples.delete(id);
      return progress.estimateMs;
    }
    const now = this.now();
    const settled = progress.total - progress.waiting;
    const list = this.samples.get(id) ?? [];
    list.push({ at: now, settled });
    // Keep the newest sample older than the window, so the span covers the whole window.
    while (list.length > 2 && list[1]!.at <= now - WINDOW_MS) list.shift();
    this.samples.set(id, list);
    const first = list[0]!;
    const span = now - first.at;
    const moved = settled - first.settled;
    if (span < MIN_SPAN_MS || moved < MIN_SETTLED) return progress.estimateMs;
    return Math.max(progress.estimateMs, Math.round((progress.waiting * span) / moved));
  }
}
