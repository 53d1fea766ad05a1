/**
 * Card insertion on the virtual PC/SC reader -> token durable in SQLite and announced (the
 * station's `tap` event, what the window is sent), beside a bare nfc-pcsc listener on the same
 * reader, in the same run and for the same insertions: both watch the reader at once, so pcscd's
 * polling of the reader is shared and the difference is what Token Station adds. Needs pcscd with
 * vsmartcard-vpcd (as the integration tests).
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { NFC as NfcType, Reader } from 'nfc-pcsc';
import { Station } from '../../electron/core/station';
import { placeCard, VPCD_PORTS } from '../support/virtual-card';
import { tempDir } from '../support/temp';

const READER = 'Virtual PCD 00 00';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(name: string, value: string): void {
  console.log(`  ${name.padEnd(46)} ${value}`);
}

function waitFor<T>(register: (resolve: (value: T) => void) => void, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

type Mode = 'station' | 'bare';

/** One listener alive at a time, so neither waits for the other's APDUs on the one virtual card. */
async function withListener<T>(mode: Mode, run: (next: (uid: string) => Promise<number>) => Promise<T>): Promise<T> {
  if (mode === 'station') {
    const { dir, cleanup } = tempDir();
    const station = await Station.create({ dataDir: dir, readers: { pcsc: true, simulated: false }, sync: { autoStart: false } });
    station.enrollmentDefaults.update({ customerId: 1001, labelPrefix: 'R-' });
    try {
      await waitFor<void>((done) => {
        const check = setInterval(() => {
          if (station.readerDesk.readers().some((r) => r.name === READER)) {
            clearInterval(check);
            done();
          }
        }, 50);
      }, 10_000, 'the virtual reader');
      return await run((uid) =>
        waitFor<number>((done) => {
          const off = station.events.on('tap', (outcome) => {
            if (outcome.status === 'queued' && outcome.token.uid === uid) {
              off();
              done(performance.now());
            }
          });
        }, 10_000, `the station's tap of ${uid}`),
      );
    } finally {
      await station.close();
      cleanup();
    }
  }
  const { NFC } = createRequire(import.meta.url)('nfc-pcsc') as typeof import('nfc-pcsc');
  const bare: NfcType = new NFC();
  let onCard: ((uid: string) => void) | null = null;
  let ready: (() => void) | null = null;
  const present = new Promise<void>((resolve) => (ready = resolve));
  bare.on('reader', (reader: Reader) => {
    if (reader.name !== READER) {
      reader.autoProcessing = false;
      return;
    }
    reader.on('card', (card: { uid?: string }) => onCard?.(String(card.uid).toUpperCase()));
    reader.on('error', () => {});
    ready?.();
  });
  bare.on('error', () => {});
  try {
    await waitFor<void>((done) => void present.then(done), 10_000, 'the virtual reader');
    return await run((uid) => waitFor<number>((done) => (onCard = (read) => read === uid && done(performance.now())), 10_000, `nfc-pcsc's card ${uid}`));
  } finally {
    bare.close();
  }
}

/**
 * Rounds alternate between Token Station alone and a bare nfc-pcsc listener alone, on the same
 * virtual reader in the same run, each insertion timed from the moment the card is put on the
 * reader. That time is mostly pcscd's and pcsclite's polling (~400 ms periods), so 40 samples of
 * each differ by their random phases as much as by anything else; Token Station's own work (UID
 * read -> durable and announced) is therefore timed directly too, and shown as a share of the bare
 * library's time.
 */
let readDone = 0;

export async function readersBench(rounds = 4, tapsPerRound = 10): Promise<void> {
  // Token Station's own work: from the moment the reader answered GET DATA (the UID is read) to
  // the token durable in SQLite and announced. Timed by wrapping nfc-pcsc's Reader.transmit (the
  // same call for both), only to take the time.
  const ownWork: number[] = [];
  const Reader = (createRequire(import.meta.url)('nfc-pcsc/dist/Reader.js') as { default: { prototype: { transmit: (...a: unknown[]) => Promise<unknown> } } }).default;
  const transmit = Reader.prototype.transmit;
  Reader.prototype.transmit = async function (this: unknown, ...args: unknown[]) {
    const answer = await transmit.apply(this, args);
    readDone = performance.now();
    return answer;
  };
  const fromInsert: Record<Mode, number[]> = { station: [], bare: [] };
  let n = 0;
  for (let round = 0; round < rounds * 2; round++) {
    const mode: Mode = round % 2 === 0 ? 'bare' : 'station';
    await withListener(mode, async (next) => {
      for (let i = 0; i < tapsPerRound; i++) {
        const uid = `04B0${(n++).toString(16).toUpperCase().padStart(4, '0')}00C0DE`.slice(0, 14);
        // pcscd and pcsclite each poll (~400 ms): a fixed loop period would lock every insertion to
        // one phase of those polls, different per mode. A random pause spreads the phases evenly.
        await new Promise((r) => setTimeout(r, Math.random() * 800));
        const seen = next(uid);
        readDone = 0;
        const inserted = performance.now();
        const card = await placeCard({ uid, port: VPCD_PORTS[0] });
        const at = await seen;
        fromInsert[mode].push(at - inserted);
        if (mode === 'station' && readDone > 0) ownWork.push(at - readDone);
        await card.remove();
        await new Promise((r) => setTimeout(r, 700)); // the removal seen before the next card
      }
    });
  }
  const total = rounds * tapsPerRound;
  console.log(`\n8. Card insertion to token durable and announced, virtual PC/SC reader (${total} insertions each, alternating rounds of ${tapsPerRound})`);
  console.log('  from card placed (pcscd and pcsclite polling included, their phases spread at random)');
  for (const p of [50, 99]) {
    const st = percentile([...fromInsert.station].sort((x, y) => x - y), p);
    const b = percentile([...fromInsert.bare].sort((x, y) => x - y), p);
    row(`p${p} Token Station (tap event) / bare nfc-pcsc`, `${st.toFixed(1)} ms / ${b.toFixed(1)} ms, ratio ${(st / b).toFixed(3)} (target <= 1.05)`);
  }
  const own = [...ownWork].sort((a, b) => a - b);
  const bare = [...fromInsert.bare].sort((a, b) => a - b);
  console.log(`  Token Station's own work (UID read -> durable in SQLite and announced), ${own.length} taps`);
  for (const p of [50, 99]) {
    const o = percentile(own, p);
    row(`p${p} own work / share of bare nfc-pcsc's p${p}`, `${o.toFixed(2)} ms / ${((o / percentile(bare, p)) * 100).toFixed(2)} %`);
  }
  Reader.prototype.transmit = transmit;
}
