// The desk's sync settings (Settings → Sync): the hold period and the batch size are checked
// against their limits, kept across a restart, and the batch size is what the sync worker sends.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';

let dir: string;
let cleanup: () => void;
let station: Station;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  station = await Station.create({ dataDir: dir, readers: { simulated: false, pcsc: false }, sync: { autoStart: false } });
});
afterEach(async () => {
  await station.close();
  cleanup();
});

describe('sync settings', () => {
  it('defaults to no hold and batches of 100, and refuses values outside the limits', async () => {
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    expect(await handlers['sync.settings']({})).toEqual({ holdMinutes: 0, batchSize: 100 });
    expect(() => station.syncSettings.update({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => station.syncSettings.update({ batchSize: 501 })).toThrow(/batchSize/);
    expect(() => station.syncSettings.update({ batchSize: 2.5 })).toThrow(/batchSize/);
    expect(() => station.syncSettings.update({ holdMinutes: 24 * 60 + 1 })).toThrow(/holdMinutes/);
    expect(station.syncSettings.value).toEqual({ holdMinutes: 0, batchSize: 100 });
    expect(await handlers['sync.updateSettings']({ holdMinutes: 15, batchSize: 250 })).toEqual({ holdMinutes: 15, batchSize: 250 });

    await station.close();
    station = await Station.create({ dataDir: dir, readers: { simulated: false, pcsc: false }, sync: { autoStart: false } });
    expect(station.syncSettings.value).toEqual({ holdMinutes: 15, batchSize: 250 });
  });

  it('sends as many tokens per request as the batch size says', async () => {
    station.syncSettings.update({ batchSize: 2 });
    for (let n = 1; n <= 5; n++) station.queue.add(tokenDraft(uidOf(n), { label: `L${n}` }));
    const writes = station.sandbox!.stats.writeRequests;
    await station.sync.settle(10_000);
    expect(station.queue.counts().synced).toBe(5);
    expect(station.sandbox!.stats.writeRequests - writes).toBe(3);

    station.syncSettings.update({ batchSize: 10 });
    for (let n = 6; n <= 12; n++) station.queue.add(tokenDraft(uidOf(n), { label: `L${n}` }));
    const again = station.sandbox!.stats.writeRequests;
    await station.sync.settle(10_000);
    expect(station.queue.counts().synced).toBe(12);
    expect(station.sandbox!.stats.writeRequests - again).toBe(1);
  });
});
