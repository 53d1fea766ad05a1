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

export async function readersBench(taps = 30): Promise<void> {
  const { dir, cleanup } = tempDir();
  const station = await Station.create({ dataDir: dir, readers: { pcsc: true, simulated: false }, sync: { autoStart: false } });
  station.enrollment.update({ customerId: 1001, labelPrefix: 'R-' });
  const { NFC } = createRequire(import.meta.url)('nfc-pcsc') as typeof import('nfc-pcsc');
  const bare: NfcType = new NFC();
  let bareCard: ((uid: string) => void) | null = null;
  bare.on('reader', (reader: Reader) => {
    if (reader.name !== READER) return;
    reader.on('card', (card: { uid?: string }) => bareCard?.(String(card.uid).toUpperCase()));
    reader.on('error', () => {});
  });
  bare.on('error', () => {});
  try {
    await waitFor<void>((done) => {
      const check = setInterval(() => {
        if (station.readers().some((r) => r.name === READER)) {
          clearInterval(check);
          done();
        }
      }, 50);
    }, 10_000, 'the virtual reader');
    await new Promise((r) => setTimeout(r, 500)); // the bare listener's readers too

    const stationMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < taps; i++) {
      const uid = `04B0${i.toString(16).toUpperCase().padStart(4, '0')}00C0DE`.slice(0, 14);
      const announced = waitFor<number>((done) => {
        const off = station.events.on('tap', (outcome) => {
          if (outcome.status === 'queued' && outcome.token.uid === uid) {
            off();
            done(performance.now());
          }
        });
      }, 10_000, `the station's tap of ${uid}`);
      const seen = waitFor<number>((done) => (bareCard = (read) => read === uid && done(performance.now())), 10_000, `nfc-pcsc's card ${uid}`);
      const inserted = performance.now();
      const card = await placeCard({ uid, port: VPCD_PORTS[0] });
      const [stationAt, bareAt] = await Promise.all([announced, seen]);
      stationMs.push(stationAt - inserted);
      bareMs.push(bareAt - inserted);
      await card.remove();
      await new Promise((r) => setTimeout(r, 700)); // let both see the removal
    }
    stationMs.sort((a, b) => a - b);
    bareMs.sort((a, b) => a - b);
    console.log(`\n4. Card insertion to token durable and announced, virtual PC/SC reader (${taps} insertions, same run)`);
    for (const p of [50, 99]) {
      const s = percentile(stationMs, p);
      const b = percentile(bareMs, p);
      row(`p${p} Token Station (tap event)`, `${s.toFixed(1)} ms`);
      row(`p${p} bare nfc-pcsc ('card' event)`, `${b.toFixed(1)} ms`);
      row(`p${p} ratio (target <= 1.05)`, `${(s / b).toFixed(3)}`);
    }
  } finally {
    bare.close();
    await station.close();
    cleanup();
  }
}
