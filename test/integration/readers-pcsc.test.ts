// Readers that misbehave, through the real stack: virtual cards (test/support/virtual-card.ts) on
// the vsmartcard-vpcd readers inside the real pcscd, read by nfc-pcsc into a real Station and
// SQLite file. Needs pcscd with vsmartcard-vpcd running (.ci/run starts it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import type { TapOutcome } from '../../electron/core/enrollment';
import type { ReaderEvent } from '../../electron/core/readers/types';
import { tempDir } from '../support/temp';
import { DESFIRE_ATR, PHONE_ATR, placeCard, randomIdUid, tapCard, tapRepeatedly, VPCD_PORTS } from '../support/virtual-card';

const READER_0 = 'Virtual PCD 00 00';
const READER_1 = 'Virtual PCD 00 01';
let station: Station;
let data: ReturnType<typeof tempDir>;
const taps: TapOutcome[] = [];
const events: ReaderEvent[] = [];
const logged: string[] = [];

beforeAll(async () => {
  data = tempDir();
  station = await Station.create({
    dataDir: data.dir,
    // LED/buzzer feedback for the first virtual reader as if it were an ACR122U; the second keeps the default (ACS names only).
    readers: { pcsc: { feedbackReaders: /Virtual PCD 00 00/ }, simulated: false },
    sync: { autoStart: false },
    log: (line) => logged.push(line),
  });
  station.enrollmentDefaults.update({ customerId: 1001 });
  station.events.on('tap', (outcome) => taps.push(outcome));
  station.events.on('reader', ({ event }) => events.push(event));
  await until(() => station.readerDesk.readers().length === 2, 10_000);
  expect(station.readerDesk.readers().map((r) => r.name).sort()).toEqual([READER_0, READER_1]);
}, 30_000);

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
afterAll(async () => {
  await station?.close();
  data?.cleanup();
});

const message = (outcome: TapOutcome | undefined) => (outcome?.status === 'refused' ? outcome.message : '');

/** The taps announced from now on. */
function tapsFrom(): () => TapOutcome[] {
  const start = taps.length;
  return () => taps.slice(start);
}

describe('PC/SC readers at a desk', () => {
  it('reads both readers present at once, and cards of 4, 7 and 10 bytes', async () => {
    const seen = tapsFrom();
    await Promise.all([tapCard({ uid: '1A2B3C4D', port: VPCD_PORTS[0], holdMs: 900 }), tapCard({ uid: '04112233445566', port: VPCD_PORTS[1], holdMs: 900 })]);
    await tapCard({ uid: '04112233445566778899', port: VPCD_PORTS[0], holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(3);
    expect(seen().map((o) => o.status)).toEqual(['queued', 'queued', 'queued']);
    const rows = station.queue.list().map((t) => [t.uid, t.source]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['1A2B3C4D', `pcsc:${READER_0}`],
        ['04112233445566', `pcsc:${READER_1}`],
        ['04112233445566778899', `pcsc:${READER_0}`],
      ]),
    );
    expect(station.readerDesk.status()).toMatchObject({ service: 'up', chosen: null, active: [READER_0, READER_1], lastCard: { uid: '04112233445566778899', outcome: 'queued' } });
  }, 30_000);

  it('refuses a card whose GET DATA answer is not 90 00, naming the status word and the card type', async () => {
    const seen = tapsFrom();
    const before = station.queue.list().length;
    const card = await tapCard({ uid: '04AA0000000001', port: VPCD_PORTS[1], uidStatus: '6300', holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(1);
    expect(card.apdus).toContain('FFCA000000');
    expect(seen()[0]).toMatchObject({ status: 'refused', reason: 'unreadable', uid: null });
    expect(message(seen()[0])).toMatch(/MIFARE Classic 1K did not give its UID: the reader answered 63 00 .* instead of 90 00/);
    expect(station.queue.list()).toHaveLength(before);
    expect(station.readerDesk.status().lastCard).toMatchObject({ reader: READER_1, uid: null, outcome: 'unreadable', cardType: 'MIFARE Classic 1K' });
  }, 30_000);

  it('refuses a phone by its ATR without reading it, and a random-ID card with an explanation', async () => {
    const seen = tapsFrom();
    const phone = await tapCard({ uid: randomIdUid(), atr: PHONE_ATR, port: VPCD_PORTS[1], holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(1);
    expect(seen()[0]).toMatchObject({ status: 'refused', reason: 'unreadable' });
    expect(message(seen()[0])).toMatch(/phone or watch .*ATR 3B80800101.*random ID/);
    expect(phone.apdus).not.toContain('FFCA000000');

    const rid = randomIdUid();
    await tapCard({ uid: rid, port: VPCD_PORTS[1], holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(2);
    expect(seen()[1]).toMatchObject({ status: 'refused', reason: 'random-uid', uid: rid });
    expect(message(seen()[1])).toMatch(/random ID \(4 bytes starting with 08\)/);
    expect(station.queue.list().some((t) => t.uid === rid)).toBe(false);
  }, 30_000);

  it('refuses at the reader a UID cut short at the cascade tag (88…) and one of all-same bytes, saying why', async () => {
    const seen = tapsFrom();
    const before = station.queue.list().length;
    await tapCard({ uid: '88041234', port: VPCD_PORTS[0], holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(1);
    expect(seen()[0]).toMatchObject({ status: 'refused', reason: 'unreadable', uid: null });
    expect(message(seen()[0])).toMatch(/UID 88041234 starts with 88, the cascade tag/);
    expect(station.readerDesk.status().lastCard).toMatchObject({ outcome: 'unreadable' });
    await tapCard({ uid: '00000000000000', port: VPCD_PORTS[0], holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(2);
    expect(message(seen()[1])).toMatch(/UID 00000000000000 is the same byte repeated/);
    expect(station.queue.list()).toHaveLength(before);
  }, 30_000);

  it('reads the UID of an ISO 14443-4 card (DESFire) through GET DATA', async () => {
    const seen = tapsFrom();
    await tapCard({ uid: '04D1F1F1F1F1F1', atr: DESFIRE_ATR, port: VPCD_PORTS[1], holdMs: 900 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(1);
    expect(seen()[0]).toMatchObject({ status: 'queued', token: { uid: '04D1F1F1F1F1F1' } });
    expect(station.readerDesk.status().lastCard).toMatchObject({ cardType: 'MIFARE DESFire (ISO 14443-4)' });
  }, 30_000);

  it('gives no UID at all for a card that leaves in the middle of the read, and tells the desk', async () => {
    const seen = tapsFrom();
    const before = station.queue.list().length;
    // The card drops the connection when asked for its UID: pcscd gets no answer from the reader.
    const card = await placeCard({ uid: '04DEAD00BEEF01', port: VPCD_PORTS[1], dropOn: (apdu) => apdu[0] === 0xff && apdu[1] === 0xca });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(1);
    await card.remove();
    await new Promise((r) => setTimeout(r, 1000));
    expect(card.apdus).toContain('FFCA000000');
    expect(seen()).toEqual([expect.objectContaining({ status: 'refused', reason: 'unreadable', uid: null })]);
    expect(message(seen()[0])).toMatch(/left the reader before its UID was read .*nothing was enrolled/);
    expect(station.queue.list()).toHaveLength(before);
    expect(station.readerDesk.status().lastCard).toMatchObject({ reader: READER_1, uid: null, outcome: 'unreadable' });
    expect(logged.some((l) => l.includes('left the reader'))).toBe(true);
  }, 30_000);

  it('enrolls a card held on the reader once, and a card back twice within the window once', async () => {
    const seen = tapsFrom();
    const held = await placeCard({ uid: '04CAFE00000001', port: VPCD_PORTS[1] });
    await held.poweredOn;
    await new Promise((r) => setTimeout(r, 3000)); // longer than the 2 s window, still on the reader
    await held.remove();
    await tapRepeatedly({ uid: '04CAFE00000002', port: VPCD_PORTS[1], holdMs: 700 }, 3, 300);
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen().map((o) => (o.status === 'queued' ? o.token.uid : o.status === 'refused' ? o.reason : o.status))).toEqual(['04CAFE00000001', '04CAFE00000002']);
    expect(station.readerDesk.status().lastCard).toMatchObject({ uid: '04CAFE00000002', outcome: 'repeat' });

    // After the window, the same card again is a new tap: refused as already enrolled, not lost.
    await new Promise((r) => setTimeout(r, 2200));
    await tapCard({ uid: '04CAFE00000002', port: VPCD_PORTS[1], holdMs: 700 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(3);
    expect(seen()[2]).toMatchObject({ status: 'refused', reason: 'duplicate' });
  }, 40_000);

  it('sends LED and buzzer feedback only to readers whose names match', async () => {
    const seen = tapsFrom();
    const led = await tapCard({ uid: '04FEED00000001', port: VPCD_PORTS[0], holdMs: 1000 });
    const plain = await tapCard({ uid: '04FEED00000002', port: VPCD_PORTS[1], holdMs: 1000 });
    await expect.poll(() => seen().length, { timeout: 10_000 }).toBe(2);
    // Queued: green LED and one beep, after the UID was read.
    expect(led.apdus).toEqual(['FFCA000000', 'FF0040A80401010101']);
    expect(plain.apdus).toEqual(['FFCA000000']);
  }, 30_000);

  it('ignores cards on a reader other than the chosen one, and remembers the choice when the name changes its suffix', async () => {
    const seen = tapsFrom();
    station.readerSettings.update({ reader: 'Virtual PCD 00 01' });
    await tapCard({ uid: '04ABCDEF000001', port: VPCD_PORTS[0], holdMs: 800 });
    await new Promise((r) => setTimeout(r, 800));
    expect(seen()).toEqual([]);
    expect(station.readerDesk.status()).toMatchObject({ chosen: READER_1, active: [READER_1], lastCard: { uid: '04ABCDEF000001', outcome: 'ignored' } });
    // Stored without the index the OS adds (as if the reader had been replugged and renumbered): both match.
    station.readerSettings.update({ reader: 'Virtual PCD 00 07' });
    expect(station.readerDesk.status().active).toEqual([READER_0, READER_1]);
    station.readerSettings.update({ reader: null });
  }, 30_000);
});
