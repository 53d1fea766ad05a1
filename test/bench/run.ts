/**
 * `npm run bench`: figures for the foundation, printed, never asserted.
 *  1. tap -> token durable in SQLite and announced (simulated reader, real database file)
 *  2. sync of 10,000 queued tokens against the sandbox enforcing Spirii's 120 writes a minute,
 *     beside the naive one-request-per-token baseline on 1,000 tokens (rate limit off)
 *  3. CLI start-up (`token-station queue --json` on an empty queue)
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Station } from '../../electron/core/station';
import { openDatabase } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { SpiriiClient } from '../../electron/core/api/client';
import { SyncWorker } from '../../electron/core/sync/worker';
import { startSandbox } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { BIN, cliEnv } from '../support/cli';
import { tokenDraft, uidOf } from '../support/tokens';
import { uiBench } from './ui';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(46)} ${value}`);
}

async function tapLatency(): Promise<void> {
  const { dir, cleanup } = tempDir();
  const station = await Station.create({ dataDir: dir, readers: { simulated: true }, sync: { autoStart: false } });
  station.enrollment.update({ customerId: 1001, labelPrefix: 'B-' });
  const n = 2000;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const uid = uidOf(i);
    const start = performance.now();
    const outcome = station.simulateTap(uid); // returns once committed (synchronous=FULL) and announced
    times.push(performance.now() - start);
    if (outcome.status !== 'queued') throw new Error(`tap ${i} was not queued: ${outcome.message}`);
  }
  await station.close();
  cleanup();
  times.sort((a, b) => a - b);
  console.log(`\n1. Tap to durable and announced (${n} simulated taps, WAL + synchronous=FULL)`);
  row('p50', `${percentile(times, 50).toFixed(3)} ms`);
  row('p99', `${percentile(times, 99).toFixed(3)} ms`);
  row('max', `${times.at(-1)!.toFixed(3)} ms`);
}

async function syncRun(count: number, batchSize: number, rateLimit: boolean) {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(dir);
  const queue = new TokenQueue(db);
  db.transaction(() => {
    for (let i = 0; i < count; i++) queue.add(tokenDraft(uidOf(i), { label: `B-${i}`, source: 'bench' }));
  })();
  const sandbox = await startSandbox({ apiKey: 'bench', rateLimit: rateLimit ? { writesPerMinute: 120, readsPerMinute: 600 } : false });
  const worker = new SyncWorker(queue, new SpiriiClient({ baseUrl: sandbox.url, apiKey: 'bench' }), { batchSize });
  const cpu = process.cpuUsage();
  const start = performance.now();
  const status = await worker.settle(30 * 60_000);
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const stats = sandbox.stats;
  await sandbox.close();
  db.close();
  cleanup();
  // The sandbox runs in this process: its CPU is in `used` too, so this overstates the client's share.
  return { status, wall, cpuPerToken: (used.user + used.system) / 1000 / count, stats };
}

async function syncThroughput(): Promise<void> {
  const batched = await syncRun(10_000, 100, true);
  console.log('\n2. Sync against the sandbox');
  row('10,000 tokens, lists of 100, 120 writes/min', `${batched.status.counts.synced} synced in ${(batched.wall / 1000).toFixed(2)} s`);
  row('  write requests', String(batched.stats.writeRequests));
  row('  429 answers received', String(batched.stats.rateLimited));
  row('  CPU per token (client and sandbox together)', `${batched.cpuPerToken.toFixed(3)} ms`);
  const naive = await syncRun(1_000, 1, false);
  row('baseline: 1,000 tokens, one request each', `${naive.stats.writeRequests} write requests in ${(naive.wall / 1000).toFixed(2)} s (no rate limit)`);
  row('  the same for 10,000 tokens at 120 writes/min', `10,000 requests, at least ${Math.ceil(10_000 / 120)} minutes`);
}

function cliStartup(): void {
  const { dir, cleanup } = tempDir();
  const env = cliEnv({ TOKEN_STATION_DATA_DIR: dir });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    execFileSync(process.execPath, [BIN, 'queue', '--json'], { env });
    times.push(performance.now() - start);
  }
  cleanup();
  times.sort((a, b) => a - b);
  console.log(`\n3. CLI start-up (${path.basename(BIN)} queue --json, 5 runs)`);
  row('median', `${percentile(times, 50).toFixed(0)} ms`);
}

console.log(`Token Station benchmarks, Node ${process.version}, ${process.platform}-${process.arch}`);
await tapLatency();
await syncThroughput();
cliStartup();
await uiBench();
