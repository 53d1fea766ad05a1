/**
 * The replacement crash tests' and the soak's child: the real core (Station, SQLite queue, sync
 * worker, replacement jobs, HTTP client) on a data folder against a given API, with short timeouts
 * so kill-and-restart rounds stay short.
 *
 *   node --import tsx test/support/replace-child.ts <dataDir> <apiUrl> <apiKey> start <oldUid> <newUid> [label]
 *     starts a replacement, prints the job as JSON, then waits (to be killed) without sending anything
 *   node --import tsx test/support/replace-child.ts <dataDir> <apiUrl> <apiKey> run
 *     prints "ready", syncs and moves every replacement on until nothing is left to do, prints
 *     {"counts":...,"jobs":[...]} and exits
 */
import { Station } from '../../electron/core/station';

const [dataDir, baseUrl, apiKey, command, ...rest] = process.argv.slice(2);
if (!dataDir || !baseUrl || !apiKey || (command !== 'start' && command !== 'run')) {
  console.error('usage: replace-child <dataDir> <apiUrl> <apiKey> start OLD NEW [LABEL] | run');
  process.exit(2);
}

const station = await Station.create({
  dataDir,
  api: { baseUrl, apiKey },
  readers: { simulated: false, pcsc: false },
  // Starting a job asks Spirii for the old token: given time on a busy machine (it sends nothing, so no in-doubt bound depends on it).
  sync: { autoStart: false, timeoutMs: command === 'start' ? 5_000 : 400, batchSize: 10, backoff: { baseMs: 50, capMs: 400 }, serverMarginMs: 800, leaseTtlMs: 100 },
});

if (command === 'start') {
  const [oldUid, newUid, label] = rest;
  const job = await station.replacements.replace(oldUid!, newUid!, label ?? null, 'cli');
  console.log(JSON.stringify(job));
  // Killed here: the job and the new token are on disk, nothing is sent.
  await new Promise(() => {});
}

console.log('ready');
// The creation is sent, then the deactivation is queued and sent; a resumed one is read back first.
await station.replacements.settle(station.sync, 90_000);
console.log(JSON.stringify({ counts: station.sync.status.counts, jobs: station.replacements.list({ limit: 10_000 }) }));
await station.close();
