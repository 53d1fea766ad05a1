/**
 * `npm run bench`: figures for the foundation, printed, never asserted.
 *  1. tap -> token durable in SQLite and announced (simulated reader, real database file)
 *  2. sync of 10,000 queued tokens against the sandbox enforcing Spirii's 120 writes a minute,
 *     beside the naive one-request-per-token baseline (./sync.ts)
 *  2b. the wait before a token in doubt is looked up, and the reads the checks cost (./sync.ts; alone: npx tsx test/bench/sync.ts)
 *  3. CLI start-up (`token-station queue --json` on an empty queue)
 *  files (./files.ts): a 100,000-row import, and 100,000-token CSV and XLSX exports
 *  4. card insertion on the virtual PC/SC reader -> durable and announced, beside bare nfc-pcsc (./readers.ts)
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Station } from '../../electron/core/station';
import { syncBenchmark, syncChecksBenchmark } from './sync';
import { tempDir } from '../support/temp';
import { BIN, cliEnv } from '../support/cli';
import { uidOf } from '../support/tokens';
import { uiBench } from './ui';
import { filesBench } from './files';
import { readersBench } from './readers';

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
await syncBenchmark();
await syncChecksBenchmark();
cliStartup();
await uiBench();
await filesBench();
await readersBench();
