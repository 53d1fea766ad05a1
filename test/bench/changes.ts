/**
 * Queued changes (`npm run bench -- changes`): 1,000 deactivations queued as one bulk change, as the
 * Tokens screen queues them (through the window's calls), sent one PATCH a token against the
 * sandbox enforcing a write limit scaled up from Spirii's 120 a minute (1,200 a minute), so the
 * run takes about a minute instead of 8.3. Printed: requests, 429s, the total time, and the error
 * of the estimate of the time left (taken when the batch was queued and at 1%, 10% and 50% done) against the
 * time it really took.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { startSandbox } from '../../electron/sandbox/server';
import { seedSandbox } from '../support/seed';
import { tempDir } from '../support/temp';

const TOKENS = 1000;
const WRITES_PER_MINUTE = 1200;

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(46)} ${value}`);
}

export async function changesBench(): Promise<void> {
  console.log(`\nchanges. ${TOKENS.toLocaleString('en-GB')} queued deactivations, one PATCH each, sandbox enforcing ${WRITES_PER_MINUTE} writes a minute`);
  const { dir, cleanup } = tempDir();
  const seeded = seedSandbox(dir, TOKENS);
  const sandbox = await startSandbox({
    apiKey: 'bench',
    statePath: path.join(dir, 'sandbox-tokens.json'),
    rateLimit: { writesPerMinute: WRITES_PER_MINUTE, readsPerMinute: 100_000 },
  });
  const station = await Station.create({ dataDir: path.join(dir, 'desk'), api: { baseUrl: sandbox.url, apiKey: 'bench' }, readers: { simulated: false, pcsc: false } });
  const calls = createHandlers(station, { version: 'bench', dataDir: dir });
  try {
    const before = sandbox.stats;
    const start = performance.now();
    const queued = await calls['changes.queue']({ targets: seeded.map((t) => ({ id: t.id, basedOn: t.updatedAt, uid: t.identifier.uid ?? null, label: t.identifier.label ?? null })), fields: { isActive: false } });
    const firstEstimate = queued.etaMs;
    // The estimate as the window would show it at 1% (Spirii's limit known from its first answers), 10% and 50% done.
    const marks = [0.01, 0.1, 0.5];
    const estimates = new Map<number, { at: number; eta: number }>();
    for (;;) {
      const batch = (await calls['changes.batches']({})).find((b) => b.id === queued.id)!;
      const finished = batch.sent + batch.failed + batch.cancelled;
      for (const mark of marks) {
        if (!estimates.has(mark) && finished >= TOKENS * mark && batch.etaMs !== null) estimates.set(mark, { at: performance.now() - start, eta: batch.etaMs });
      }
      if (batch.state === 'done' || batch.state === 'cancelled') {
        const total = performance.now() - start;
        const after = sandbox.stats;
        const stillActive = sandbox.tokens().filter((t) => t.isActive).length;
        row('done / failed', `${batch.sent} / ${batch.failed}`);
        row('requests (all) / writes', `${after.requests - before.requests} / ${after.writeRequests - before.writeRequests}`);
        row('already inactive (read, not written)', String(seeded.filter((t) => !t.isActive).length));
        row('429 answers', String(after.rateLimited - before.rateLimited));
        row('total time', `${(total / 1000).toFixed(1)} s (at the limit: ${((TOKENS / WRITES_PER_MINUTE) * 60).toFixed(1)} s)`);
        const error = (estimate: number, actual: number) => `${(estimate / 1000).toFixed(1)} s vs ${(actual / 1000).toFixed(1)} s, ${(((estimate - actual) / actual) * 100).toFixed(1)}%`;
        if (firstEstimate !== null) row('estimate when queued vs actual', error(firstEstimate, total));
        for (const [mark, estimate] of estimates) row(`estimate at ${mark * 100}% vs actual rest`, error(estimate.eta, total - estimate.at));
        row('tokens still active in the sandbox', String(stillActive));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await station.close();
    await sandbox.close();
    cleanup();
  }
}
