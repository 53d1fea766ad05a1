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
import { SERVER_MARGIN_MS, SyncWorker } from '../../electron/core/sync/worker';
import { pathToFileURL } from 'node:url';
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

/**
 * Section 2b (`npx tsx test/bench/sync.ts`): what the in-doubt rule and the new checks cost.
 * - The wait before a token in doubt is looked up: the bound is the client's timeout plus the
 *   server margin; measured on a scaled-down bound (1 s timeout + 2 s margin), from the attempt's
 *   time on disk to the lookup's request, so the overshoot of the scheduling shows.
 * - Reads per 10,000 tokens by purpose (rate limit off), without faults and with 10% of the
 *   POSTs lost (half after storing, half before): the checks for a second copy after sending and the look-up right
 *   before a re-send are the new requests.
 */
export async function syncChecksBenchmark(): Promise<void> {
  console.log('\n2b. The in-doubt wait and the cost of the checks');
  row('in-doubt bound, defaults', `${(20_000 + SERVER_MARGIN_MS) / 1000} s (20 s client timeout + ${SERVER_MARGIN_MS / 1000} s server margin)`);
  {
    const sandbox = await startSandbox({ apiKey: 'bench', rateLimit: false });
    const { dir, cleanup } = tempDir();
    const db = openDatabase(dir);
    const queue = new TokenQueue(db);
    queue.add(tokenDraft(uidOf(1), { label: 'D-1', source: 'bench' }));
    sandbox.failNext('dropAfterStore');
    let lookupAt: number | null = null;
    const fetcher: typeof fetch = (input, init) => {
      if ((init?.method ?? 'GET') === 'GET' && queue.counts().in_doubt === 1 && lookupAt === null) lookupAt = Date.now();
      return fetch(input, init);
    };
    const worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: sandbox.url, apiKey: 'bench' }, { timeoutMs: 1_000, fetch: fetcher }), { serverMarginMs: 2_000 });
    let attemptedAt: number | null = null;
    queue.onChange((tokens) => {
      const t = tokens[0];
      if (t?.state === 'in_doubt' && attemptedAt === null) attemptedAt = Date.parse(t.attemptedAt!);
    });
    await worker.settle(20_000);
    row('  token in doubt: attempt on disk -> lookup', `${((lookupAt! - attemptedAt!) / 1000).toFixed(3)} s (bound 3 s: 1 s timeout + 2 s margin)`);
    db.close();
    cleanup();
    await sandbox.close();
  }
  for (const lost of [0, 0.1]) {
    const sandbox = await startSandbox({ apiKey: 'bench', rateLimit: false, duplicateUids: 'accept', faults: { dropAfterStore: lost / 2, dropBeforeStore: lost / 2 }, random: seededRandom(7) });
    const { dir, cleanup } = tempDir();
    const db = openDatabase(dir);
    const queue = new TokenQueue(db);
    db.transaction(() => {
      for (let i = 0; i < TOKENS; i++) queue.add(tokenDraft(uidOf(i), { label: `C-${i}`, source: 'bench' }));
    })();
    const counts = { writes: 0, reads: 0, tooMany: 0 };
    // A short bound, so the lookups after doubt and the second check for copies come within the run.
    const worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: sandbox.url, apiKey: 'bench' }, { timeoutMs: 2_000, fetch: countingFetch(counts) }), {
      serverMarginMs: 0,
      backoff: { baseMs: 10, capMs: 50 },
    });
    worker.start();
    // Until every token is synced and checked again after the bound.
    const start = performance.now();
    while (performance.now() - start < 120_000) {
      await new Promise((r) => setTimeout(r, 200));
      const unverified = db.prepare(`SELECT count(*) FROM tokens WHERE state = 'synced' AND verified_at IS NULL`).pluck().get() as number;
      if (queue.counts().synced === TOKENS && unverified === 0) break;
    }
    await worker.stop();
    const doubles = TOKENS - new Set(sandbox.tokens().map((t) => t.identifier.uid)).size + (sandbox.tokens().length - TOKENS);
    const r = worker.readCounts;
    row(`10,000 tokens, ${lost * 100}% of POSTs lost`, `${queue.counts().synced} synced, ${counts.writes} writes, ${counts.reads} reads, ${doubles} created twice`);
    row('  reads: lookups after doubt / pre-send checks', `${r.doubt} / ${r.presend} (the pre-send checks include the look-ups right before a re-send)`);
    row('  reads: checks for a second copy (new)', `${r.verify} (${((r.verify / TOKENS) * 10_000).toFixed(0)} per 10,000 tokens)`);
    db.close();
    cleanup();
    await sandbox.close();
  }
}

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await syncChecksBenchmark();
