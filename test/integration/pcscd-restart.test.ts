// The PC/SC service going away and coming back while the station runs: pcscd itself is stopped
// and started again (the machine's one pcscd; only the readers' tests do this), with vsmartcard-vpcd
// readers and virtual cards. Also: errors nfc-pcsc emits as the event name still reach the desk.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import type { TapOutcome } from '../../electron/core/enrollment';
import type { ReaderEvent } from '../../electron/core/readers/types';
import { tempDir } from '../support/temp';
import { placeCard, tapCard, VPCD_PORTS } from '../support/virtual-card';
import { pcscdPids, startPcscd, stopPcscd } from '../support/pcscd';

const READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'];
let station: Station | null = null;
let data: ReturnType<typeof tempDir> | null = null;

afterEach(async () => {
  await station?.close();
  station = null;
  data?.cleanup();
});
afterAll(async () => {
  await startPcscd(); // leave the machine as it was, whatever happened
});

async function open(log: string[] = []) {
  data = tempDir();
  const s = await Station.create({ dataDir: data.dir, readers: { pcsc: { retryMs: 250 }, simulated: true }, sync: { autoStart: false }, log: (l) => log.push(l) });
  s.enrollmentDefaults.update({ customerId: 1001 });
  const taps: TapOutcome[] = [];
  const events: ReaderEvent[] = [];
  s.events.on('tap', (o) => taps.push(o));
  s.events.on('reader', ({ event }) => events.push(event));
  station = s;
  return { station: s, taps, events };
}

const names = (s: Station) => s.readerDesk.readers().filter((r) => r.kind === 'pcsc').map((r) => r.name).sort();

describe('the PC/SC service', () => {
  it('restarted while the station runs: readers go, come back within seconds, and cards are read again', async () => {
    await startPcscd();
    const log: string[] = [];
    const { station, taps, events } = await open(log);
    await expect.poll(() => names(station), { timeout: 10_000 }).toEqual(READERS);

    await stopPcscd();
    await expect.poll(() => names(station), { timeout: 10_000 }).toEqual([]);
    expect(station.readerDesk.status()).toMatchObject({ service: 'down', lastError: { code: expect.stringMatching(/^SCARD_/), hint: expect.stringMatching(/pcscd/) } });
    expect(events.filter((e) => e.type === 'detached').map((e) => (e as { reader: { name: string } }).reader.name).sort()).toEqual(READERS);
    // While the service is away the desk keeps working (nothing spins on the main thread).
    expect(station.simulateTap('04AB12CD34EF56')).toMatchObject({ status: 'queued' });

    await startPcscd();
    const back = Date.now();
    await expect.poll(() => names(station), { timeout: 10_000, interval: 50 }).toEqual(READERS);
    expect(Date.now() - back).toBeLessThan(5000);
    expect(station.readerDesk.status().service).toBe('up');

    await tapCard({ uid: '04BACC0000BACC', port: VPCD_PORTS[0], holdMs: 900 });
    await expect.poll(() => taps.at(-1), { timeout: 10_000 }).toMatchObject({ status: 'queued', token: { uid: '04BACC0000BACC', source: 'pcsc:Virtual PCD 00 00' } });
    expect(log.some((l) => /PC\/SC service: .*\[SCARD_/.test(l))).toBe(true);
  }, 60_000);

  it('not running when the station starts: said so with what to do, and picked up once it starts', async () => {
    await stopPcscd();
    const { station } = await open();
    await expect.poll(() => station.readerDesk.status().lastError?.code, { timeout: 5000 }).toBe('SCARD_E_NO_SERVICE');
    expect(station.readerDesk.status()).toMatchObject({ service: 'down', lastError: { message: expect.stringMatching(/PC\/SC service is not running/), hint: expect.stringMatching(/systemctl start pcscd/) } });
    expect(pcscdPids()).toEqual([]);
    await startPcscd();
    await expect.poll(() => names(station), { timeout: 10_000 }).toEqual(READERS);
    expect(station.readerDesk.status().service).toBe('up');
  }, 60_000);
});

describe('errors nfc-pcsc emits as the event name', () => {
  it('reach the desk and the log with their PC/SC code', async () => {
    await startPcscd();
    const log: string[] = [];
    const { station, taps } = await open(log);
    await expect.poll(() => names(station), { timeout: 10_000 }).toEqual(READERS);
    // Off the reader right after its ATR: nfc-pcsc's connect fails and it calls emit(error).
    const card = await placeCard({ uid: '04F1EE7000F1EE', port: VPCD_PORTS[1] });
    await card.poweredOn;
    await card.remove();
    // Which code pcscd gives depends on where in its own poll the card went: gone (NO_SMARTCARD),
    // removed (REMOVED_CARD) or seen without power (UNPOWERED_CARD). Each must read as "it left".
    await expect.poll(() => station.readerDesk.status().lastError, { timeout: 10_000 }).toMatchObject({
      reader: 'Virtual PCD 00 01',
      code: expect.stringMatching(/^SCARD_(E_NO_SMARTCARD|W_REMOVED_CARD|W_UNPOWERED_CARD)$/),
      message: expect.stringMatching(/the card left the reader before it could be read: An error occurred while connecting/),
      hint: expect.stringMatching(/Hold it flat/),
    });
    const code = station.readerDesk.status().lastError!.code;
    expect(log.some((l) => l.includes(`[${code}]`))).toBe(true);
    expect(taps).toEqual([]);
  }, 30_000);
});
