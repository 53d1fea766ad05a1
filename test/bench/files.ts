/**
 * `npm run bench`, files: importing a 100,000-row CSV file (to a preview, then queued), and
 * exporting 100,000 tokens from the sandbox as CSV and XLSX. The sandbox and the exporting client
 * run in separate processes; the client's time is compared with fetching the same pages bare.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { cpus, loadavg } from 'node:os';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Station } from '../../electron/core/station';
import { importDefaults, readImportFile } from '../../electron/core/io/files';
import type { SpiriiToken } from '../../electron/core/token';
import { tempDir } from '../support/temp';
import { startSandbox } from '../../electron/sandbox/server';

const N = 100_000;
const CHILD = path.join(import.meta.dirname, 'files-child.ts');

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(46)} ${value}`);
}

function uid(i: number): string {
  return `04${(0xa0000000 + i).toString(16).toUpperCase().padStart(12, '0')}`;
}

async function importBench(dir: string): Promise<void> {
  const lines = ['uid;label;customerId;expiresAt;comment'];
  for (let i = 0; i < N; i++) lines.push(`${uid(i)};DK.B.${String(i).padStart(6, '0')};${1001 + (i % 5)};2027-12-31;row ${i}`);
  const file = path.join(dir, 'cards.csv');
  writeFileSync(file, lines.join('\r\n') + '\r\n');
  const station = await Station.create({ dataDir: path.join(dir, 'import-data'), readers: { simulated: false }, sync: { autoStart: false } });
  try {
    const start = performance.now();
    const bytes = await readImportFile(file);
    const prepared = await station.importer.prepare(bytes, file, { defaults: importDefaults(station.enrollmentDefaults.value, 1001) });
    const preview = station.importer.preview(prepared, 'bench');
    const previewMs = performance.now() - start;
    const commitStart = performance.now();
    const result = station.importer.commit(prepared);
    const commitMs = performance.now() - commitStart;
    console.log(`\n6. Files: import of a ${N.toLocaleString('en')}-row CSV file (${(statSync(file).size / 1e6).toFixed(1)} MB), built-in sandbox`);
    row('to a preview (read, parse, queue and Spirii check)', `${(previewMs / 1000).toFixed(2)} s (${preview.summary.ready} ready; target < 3 s)`);
    row('then queued in one transaction', `${(commitMs / 1000).toFixed(2)} s (${result.queued} queued; target < 3 s)`);
  } finally {
    await station.close();
  }
}

/**
 * The import's customer check: a 100,000-row file over 50 customers, previewed when every customer
 * is cached (no request at all), and the requests it takes when none of the 50 was seen before,
 * with 5,000 and with 100,000 customers in Spirii (pages of the list, or one search per customer).
 * Runs alone: npx tsx -e "import('./test/bench/files.ts').then((m) => m.importCustomersBench())"
 */
export async function importCustomersBench(): Promise<void> {
  const { dir, cleanup } = tempDir('token-station-bench-customers-');
  try {
    const lines = ['uid;label;customerId;expiresAt'];
    for (let i = 0; i < N; i++) lines.push(`${uid(i)};DK.C.${i};${7001 + (i % 50)};31/12/2027`);
    const file = path.join(dir, 'cards.csv');
    writeFileSync(file, lines.join('\r\n') + '\r\n');
    console.log(`\n6b. Files: the import's customer check, ${N.toLocaleString('en')} rows over 50 customers (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs)`);
    for (const total of [5_000, 100_000]) {
      const customers = Array.from({ length: total }, (_, i) => ({ id: 7001 + i, name: `Kunde ${i}`, externalId: null }));
      const sandbox = await startSandbox({ apiKey: 'bench', customers });
      const station = await Station.create({
        dataDir: path.join(dir, `data-${total}`),
        api: { baseUrl: sandbox.url, apiKey: 'bench' },
        readers: { simulated: false },
        sync: { autoStart: false },
      });
      try {
        const bytes = await readImportFile(file);
        const options = { defaults: importDefaults(station.enrollmentDefaults.value, 1001), checkSpirii: true };
        const before = sandbox.stats.requests;
        const cold = await station.importer.prepare(bytes, file, options);
        const coldCustomer = cold.customers.requests;
        const coldAll = sandbox.stats.requests - before;
        const start = performance.now();
        const warm = await station.importer.prepare(bytes, file, options);
        station.importer.preview(warm, 'bench');
        const warmMs = performance.now() - start;
        const warmCustomer = warm.customers.requests;
        row(`50 unseen among ${total.toLocaleString('en')} customers in Spirii`, `${coldCustomer} customer requests (${coldAll} in all with the card check)`);
        if (total === 5_000) {
          row('preview, every customer cached', `${(warmMs / 1000).toFixed(2)} s, ${warmCustomer} customer requests (target 0)`);
        }
      } finally {
        await station.close();
        await sandbox.close();
      }
    }
  } finally {
    cleanup();
  }
}

function child(args: string[]): Promise<Record<string, number>> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  return Promise.resolve(JSON.parse(out.trim().split('\n').at(-1)!));
}

async function exportBench(dir: string): Promise<void> {
  const stamp = '2026-01-31T08:30:00.000Z';
  const tokens: SpiriiToken[] = Array.from({ length: N }, (_, i) => ({
    id: 10001 + i,
    customerId: 1001 + (i % 5),
    identifier: { type: 'rfid', uid: uid(i), label: `DK.B.${i}` },
    createdAt: stamp,
    updatedAt: stamp,
    validFrom: stamp,
    expiresAt: i % 2 ? '2027-12-31T23:59:59.000Z' : null,
    isActive: i % 7 !== 0,
    roamingEnabled: true,
    priorityChargingEnabled: i % 3 === 0,
    billingReference: i % 4 ? `PO-${i}` : null,
    comment: i % 10 ? null : `=comment ${i}`,
  }));
  const state = path.join(dir, 'sandbox.json');
  writeFileSync(state, JSON.stringify({ version: 1, tokens }));
  const server = spawn(process.execPath, ['--import', 'tsx', CHILD, 'sandbox', state], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: server.stdout! }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
    });
    await child(['raw', url]); // warm up the sandbox once
    const bare = await child(['raw', url]);
    const raw = bare.ms!;
    console.log(`\n7. Files: export of ${N.toLocaleString('en')} tokens from the sandbox (separate processes, pages of 1,000; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs)`);
    row('the sandbox serving every page, fetched bare', `${(raw / 1000).toFixed(2)} s (fetching client's CPU ${(bare.cpuMs! / 1000).toFixed(2)} s)`);
    for (const format of ['csv', 'xlsx'] as const) {
      const result = await child(['export', url, format, path.join(dir, `tokens.${format}`)]);
      const overhead = (result.ms! / raw - 1) * 100;
      row(`${format.toUpperCase()} export`, `${(result.ms! / 1000).toFixed(2)} s, ${(result.bytes! / 1e6).toFixed(1)} MB, ${result.rows} rows`);
      row(`  exporting client's CPU`, `${(result.cpuMs! / 1000).toFixed(2)} s`);
      row(`  time added by the client`, `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}% (target <= 20%)`);
      row(`  peak memory of the exporting process`, `${result.maxRssMB!.toFixed(0)} MB (target < 300 MB)`);
    }
  } finally {
    server.kill('SIGTERM');
  }
}

export async function filesBench(): Promise<void> {
  const { dir, cleanup } = tempDir('token-station-bench-files-');
  try {
    await importBench(dir);
    await importCustomersBench();
    await exportBench(dir);
  } finally {
    cleanup();
  }
}
