/**
 * The time left that the window shows for a batch of changes: the core's least time at the write
 * limit until the batch has moved, then the pace it really kept (never less than the least time).
 */
import { describe, expect, it } from 'vitest';
import { BatchPace } from '../../electron/contract/batch-pace';
import type { BatchProgress } from '../../electron/core/changes/types';

const progress = (settled: number, extra: Partial<BatchProgress> = {}): BatchProgress => ({
  batchId: 1,
  total: 1000,
  done: settled,
  failed: 0,
  conflicts: 0,
  cancelled: 0,
  waiting: 1000 - settled,
  sentPerMinute: 0,
  paused: false,
  // The core's least time at 1,200 writes a minute: 50 ms a change.
  estimateMs: (1000 - settled) * 50,
  writesPerMinute: 1200,
  ...extra,
});

describe('the time left for a batch of changes', () => {
  it('is the least time at the write limit until the batch has moved, then the pace it kept', () => {
    let now = 0;
    const pace = new BatchPace(() => now);
    expect(pace.etaMs(progress(0))).toBe(50_000);
    // 100 ms a change (a read and a write each), twice the least time.
    for (let settled = 10; settled <= 100; settled += 10) {
      now += 1000;
      pace.etaMs(progress(settled));
    }
    now += 1000;
    expect(pace.etaMs(progress(110))).toBe(89_000);
    // Faster than the limit is never promised.
    now += 100;
    expect(pace.etaMs(progress(400))).toBe(30_000);
  });

  it('starts measuring again after a pause, and says nothing once nothing waits', () => {
    let now = 0;
    const pace = new BatchPace(() => now);
    pace.etaMs(progress(0));
    now += 10_000;
    expect(pace.etaMs(progress(100))).toBe(90_000);
    now += 60_000;
    expect(pace.etaMs(progress(100, { paused: true }))).toBe(45_000);
    now += 1000;
    expect(pace.etaMs(progress(100))).toBe(45_000);
    expect(pace.etaMs(progress(1000))).toBeNull();
  });
});
