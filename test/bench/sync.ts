/**
 * Sync throughput (`npm run bench`, section 2): 10,000 queued tokens against the sandbox enforcing
 * Spirii's 120 writes a minute with its rate-limit headers. The sandbox runs in its own process
 * (the real `token-station sandbox`), so this process's CPU time is the client's alone. Beside it,
 * the naive one-request-per-token baseline on the same 10,000 tokens (rate limit off, or it would
 * take 84 minutes).
 */
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { SyncWorker } from '../../electron/core/sync/worker';
import { startSandbox } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { CliProcess, cliEnv } from '../support/cli';
import { tokenDraft, uidOf } from '../support/tokens';

const TOKENS = 10_000;

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(46)} ${value}`);
}

/** Counts what the client sends and receives, as the client sees it. */
function countingFetch(counts: { writes: number; reads: number; tooMany: number }): typeof fetch {
  return async (input, init) => {
    if (init?.method === 'POST' || init?.method === 'PATCH') counts.writes++;
    else counts.reads++;
    const response = await fetch(input, init);
    if (response.status === 429) counts.tooMany++;
    return response;
  };
}

async function syncRun(url: string, apiKey: string, batchSize: number) {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(dir);
  const queue = new TokenQueue(db);
  db.transaction(() => {
    for (let i = 0; i < TOKENS; i++) queue.add(tokenDraft(uidOf(i), { label: `B-${i}`, source: 'bench' }));
  })();
  const counts = { writes: 0, reads: 0, tooMany: 0 };
  const worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: url, apiKey }, { fetch: countingFetch(counts) }), { batchSize });
  const cpu = process.cpuUsage();
  const start = performance.now();
  const status = await worker.settle(30 * 60_000);
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  db.close();
  cleanup();
  return { status, wall, cpuPerToken: (used.user + used.system) / 1000 / TOKENS, counts };
}

export async function syncBenchmark(): Promise<void> {
  console.log('\n2. Sync against the sandbox');
  const sandbox = new CliProcess(['sandbox', '--port', '0', '--api-key', 'bench'], cliEnv({}));
  const url = await sandbox.waitForLine((l) => l.startsWith('http'));
  try {
    const batched = await syncRun(url, 'bench', 100);
    row('10,000 tokens, lists of 100, 120 writes/min', `${batched.status.counts.synced} synced in ${(batched.wall / 1000).toFixed(2)} s`);
    row('  write requests (target <= 101)', String(batched.counts.writes));
    row('  read requests (pre-send duplicate check)', String(batched.counts.reads));
    row('  429 answers received (target 0)', String(batched.counts.tooMany));
    row('  client CPU per token (sandbox in its own process)', `${(batched.cpuPerToken * 1000).toFixed(1)} µs`);
  } finally {
    await sandbox.stop();
  }
  const open = await startSandbox({ apiKey: 'bench', rateLimit: false });
  try {
    const naive = await syncRun(open.url, 'bench', 1);
    row('baseline: 10,000 tokens, one request each', `${naive.counts.writes} write requests (${naive.status.counts.synced} synced in ${(naive.wall / 1000).toFixed(1)} s, rate limit off)`);
    row('  the same at 120 writes/min', `at least ${Math.ceil(naive.counts.writes / 120)} minutes`);
  } finally {
    await open.close();
  }
}
