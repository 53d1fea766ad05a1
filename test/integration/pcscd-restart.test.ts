// The PC/SC service going away and coming back while the station runs: pcscd itself is stopped
// and started again (the machine's one pcscd; only the readers' tests do this), with vsmartcard-vpcd
// readers and virtual cards. Also: errors nfc-pcsc emits as the event name still reach the desk.
import { createRequire } from 'node:module';
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
  // nfc-pcsc 0.8 reports a failed connect with `this.emit(err)`, so the error would be lost. The one
  // connect failure a test can bring about every time is another program holding the card
  // exclusively (a card tool, a second desk app): pcscd then refuses the station's connect with
  // SCARD_E_SHARING_VIOLATION. (A card pulled between its ATR and the connect fails the same way, but
  // whether pcscd has noticed by then depends on where its 400 ms poll is: not a test that can pass
  // every time on a loaded machine.)
  it('reach the desk and the log with their PC/SC code', async () => {
    await startPcscd();
    const holder = await holdExclusively('Virtual PCD 00 01', { uid: '04F1EE7000F1EE', port: VPCD_PORTS[1] });
    try {
      const log: string[] = [];
      const { station, taps } = await open(log);
      await expect.poll(() => names(station), { timeout: 10_000 }).toEqual(READERS);
      await expect.poll(() => station.readerDesk.status().lastError, { timeout: 10_000 }).toMatchObject({
        reader: 'Virtual PCD 00 01',
        code: 'SCARD_E_SHARING_VIOLATION',
        message: expect.stringMatching(/Virtual PCD 00 01: An error occurred while connecting/),
        hint: expect.stringMatching(/Another program is using the reader/),
      });
      expect(log.some((l) => l.includes('[SCARD_E_SHARING_VIOLATION]'))).toBe(true);
      expect(taps).toEqual([]);
    } finally {
      await holder.release();
    }
  }, 30_000);
});

/**
 * Another PC/SC client on this machine: puts a card on the reader and connects to it with
 * SCARD_SHARE_EXCLUSIVE, as a card tool would, before the station starts.
 */
async function holdExclusively(readerName: string, cardOptions: { uid: string; port: number }) {
  const card = await placeCard(cardOptions);
  await card.poweredOn;
  const require = createRequire(import.meta.url);
  const pcsclite = require('@pokusew/pcsclite') as () => PcscLite;
  const pcsc = pcsclite();
  pcsc.on('error', () => {}); // closing the context cancels its status wait: expected, not a failure
  const reader = await new Promise<PcscReader>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${readerName} did not appear`)), 10_000);
    pcsc.on('reader', (r: PcscReader) => {
      r.on('error', () => {});
      if (r.name !== readerName) return;
      r.on('status', (status: { state: number }) => {
        if (!(status.state & r.SCARD_STATE_PRESENT)) return;
        r.connect({ share_mode: r.SCARD_SHARE_EXCLUSIVE }, (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(r);
        });
      });
    });
  });
  return {
    async release() {
      await new Promise<void>((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => resolve()));
      pcsc.close();
      await card.remove();
    },
  };
}

interface PcscReader {
  name: string;
  SCARD_STATE_PRESENT: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_LEAVE_CARD: number;
  on(event: 'status', listener: (status: { state: number }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  connect(options: { share_mode: number }, callback: (error: Error | null) => void): void;
  disconnect(disposition: number, callback: (error: Error | null) => void): void;
}
interface PcscLite {
  on(event: 'reader', listener: (reader: PcscReader) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  close(): void;
}
