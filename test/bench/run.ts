/**
 * `npm run bench`: figures for the foundation, printed, never asserted.
 *  1. tap -> token durable in SQLite and announced (simulated reader, real database file)
 *  2. sync of 10,000 queued tokens against the sandbox enforcing Spirii's 120 writes a minute,
 *     beside the naive one-request-per-token baseline (./sync.ts)
 *  2b. the wait before a token in doubt is looked up, and the reads the checks cost (./sync.ts; alone: npm run bench -- checks)
 *  3. CLI start-up (`--help`, `uid`, and `queue --json` on an empty queue), each as a ratio to a bare `node -e 0`
 *  files (./files.ts): a 100,000-row import, and 100,000-token CSV and XLSX exports
 *  4. card insertion on the virtual PC/SC reader -> durable and announced, beside bare nfc-pcsc (./readers.ts)
 *  5. the packed app's resources (Linux dir target around a stand-in Electron, test/packaging/pack.ts)
 *  bundles (./bundles.ts): the size of the built preload (budget 40 KB) and main bundles
 *  changes (./changes.ts): 1,000 queued deactivations at a scaled-up write limit: requests, 429s, time, the estimate's error
 * `npm run bench -- cli package` runs only the sections named (tap, sync, checks, cli, ui, files, readers, package, bundles, changes).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Station } from '../../electron/core/station';
import { syncBenchmark, syncChecksBenchmark } from './sync';
import { tempDir } from '../support/temp';
import { BIN, cliEnv, ensureCliBundle } from '../support/cli';
import { appResourcesBytes, folderBytes, packLinuxDir } from '../packaging/pack';
import { uidOf } from '../support/tokens';
import { uiBench } from './ui';
import { filesBench } from './files';
import { readersBench } from './readers';
import { bundleSizes } from './bundles';
import { changesBench } from './changes';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(46)} ${value}`);
}

async function tapLatency(): Promise<void> {
  const { dir, cleanup } = tempDir();
  const station = await Station.create({ dataDir: dir, readers: { simulated: true }, sync: { autoStart: false } });
  station.enrollmentDefaults.update({ customerId: 1001, labelPrefix: 'B-' });
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

/**
 * Start-up of three commands beside a bare `node -e 0`: `--help` (no command code), `uid` (a
 * command that opens no database) and `queue --json` on an empty data folder (the database and
 * the queue's rules). Each command loads only its own chunks of the bundle. A command that cannot
 * run on this Node (the native addons in node_modules are built for the Node that installed them)
 * is reported, not measured.
 */
function cliStartup(): void {
  ensureCliBundle();
  const { dir, cleanup } = tempDir();
  const env = cliEnv({ TOKEN_STATION_DATA_DIR: dir });
  const runs = 9;
  const commands: { name: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [
    { name: 'token-station --help', args: ['--help'] },
    { name: 'token-station uid 04A1B2C3 --json', args: ['uid', '04A1B2C3', '--json'] },
    { name: 'token-station queue --json', args: ['queue', '--json'] },
    // The same, without Node's compile cache (bin/token-station.js enables it; Node 22 and newer).
    { name: 'token-station queue --json, no compile cache', args: ['queue', '--json'], env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' } },
  ];
  const timed = (run: () => void) => {
    const start = performance.now();
    run();
    return performance.now() - start;
  };
  // Interleaved, so that a busy moment of the machine weighs on all alike.
  const bare: number[] = [];
  const times = new Map<string, number[]>(commands.map((c) => [c.name, []]));
  const failed = new Map<string, string>();
  for (let i = 0; i < runs; i++) {
    bare.push(timed(() => execFileSync(process.execPath, ['-e', '0'])));
    for (const command of commands) {
      if (failed.has(command.name)) continue;
      try {
        times.get(command.name)!.push(timed(() => execFileSync(process.execPath, [BIN, ...command.args], { env: command.env ?? env, stdio: 'pipe' })));
      } catch (error) {
        const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
        failed.set(command.name, /NODE_MODULE_VERSION/.test(stderr) ? 'not run: a native addon in node_modules is built for another Node' : `failed: ${stderr.split('\n')[0]}`);
      }
    }
  }
  cleanup();
  const median = (list: number[]) => percentile([...list].sort((a, b) => a - b), 50);
  console.log(`\n3. CLI start-up (${path.basename(BIN)}, the bundle, on Node ${process.version}; median of ${runs} runs each)`);
  row('bare node -e 0', `${median(bare).toFixed(0)} ms`);
  for (const command of commands) {
    const reason = failed.get(command.name);
    if (reason) row(command.name, reason);
    else row(command.name, `${median(times.get(command.name)!).toFixed(0)} ms, ${(median(times.get(command.name)!) / median(bare)).toFixed(2)}x bare Node (goal <= 2.5x)`);
  }
}

async function packageSize(): Promise<void> {
  const packed = await packLinuxDir();
  try {
    const archive = fs.statSync(path.join(packed.resources, 'app.asar')).size;
    const unpacked = folderBytes(path.join(packed.resources, 'app.asar.unpacked'));
    const total = appResourcesBytes(packed);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log('\n5. Packed app (Linux dir, electron-builder.yml, stand-in Electron)');
    row('app resources (goal < 15 MB, test fails > 20 MB)', mb(total));
    row('  app.asar', mb(archive));
    row('  app.asar.unpacked', mb(unpacked));
    row('packing time', `${packed.seconds.toFixed(1)} s`);
  } finally {
    fs.rmSync(packed.work, { recursive: true, force: true });
  }
}

const SECTIONS: Record<string, () => void | Promise<void>> = {
  tap: tapLatency,
  sync: syncBenchmark,
  checks: syncChecksBenchmark,
  cli: cliStartup,
  ui: uiBench,
  files: filesBench,
  readers: readersBench,
  package: packageSize,
  bundles: bundleSizes,
  changes: changesBench,
};
const wanted = process.argv.slice(2);
for (const name of wanted) if (!Object.hasOwn(SECTIONS, name)) throw new Error(`unknown bench section "${name}" (${Object.keys(SECTIONS).join(', ')})`);

console.log(`Token Station benchmarks, Node ${process.version}, ${process.platform}-${process.arch}`);
for (const [name, section] of Object.entries(SECTIONS)) if (wanted.length === 0 || wanted.includes(name)) await section();
