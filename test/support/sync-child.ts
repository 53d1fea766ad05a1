/**
 * The soak test's child: the real core (Station, SQLite queue, sync worker, HTTP client) syncing a
 * data folder against a given API, in lists of 25 or as told (more requests, so more faults), with short
 * timeouts and backoff so that many kill-and-restart rounds fit in a test run. Prints "ready" once open, then a JSON status line when it has settled.
 *
 *   node --import tsx test/support/sync-child.ts <dataDir> <apiUrl> <apiKey> [batchSize, default 25]
 *
 * Its in-doubt bound is its 400 ms timeout plus an 800 ms server margin; its lease lasts 100 ms,
 * shorter than any request to the soak's sandbox, so the lease is renewed while requests are in flight.
 */
import { Station } from '../../electron/core/station';

const [dataDir, baseUrl, apiKey, batch] = process.argv.slice(2);
if (!dataDir || !baseUrl || !apiKey) {
  console.error('usage: sync-child <dataDir> <apiUrl> <apiKey>');
  process.exit(2);
}

const station = await Station.create({
  dataDir,
  api: { baseUrl, apiKey },
  readers: { simulated: false, pcsc: false },
  sync: { autoStart: false, timeoutMs: 400, batchSize: Number(batch ?? 25), backoff: { baseMs: 50, capMs: 400 }, serverMarginMs: 800, leaseTtlMs: 100 },
});
console.log('ready');
let status = await station.sync.settle(120_000);
// A replacement's deactivation is queued once its new card is in Spirii, then sent like any change.
if (station.replacements.open().length > 0) {
  await station.replacements.settle(station.sync, 120_000);
  status = { ...station.sync.status, counts: station.queue.counts() };
}
console.log(JSON.stringify({ phase: status.phase, counts: status.counts, lastError: status.lastError }));
await station.close();
