// The whole chain through real parts: a virtual card (test/support/virtual-card.ts) on the
// vsmartcard-vpcd reader inside the real pcscd, nfc-pcsc reading its UID, a real SQLite file,
// and the sandbox API over real HTTP. Needs pcscd with vsmartcard-vpcd running (.ci/run starts it).
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/core/db/sqlite';
import { Station } from '../../electron/core/station';
import type { TapOutcome } from '../../electron/core/enrollment';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { CliProcess, cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';
import { tapCard, VPCD_PORTS } from '../support/virtual-card';

const KEY = 'pcsc-test-key';
const READER_0 = 'Virtual PCD 00 00';
const READER_1 = 'Virtual PCD 00 01';
let sandbox: Sandbox;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  const found = await runCli(['readers', '--json'], cliEnv({}));
  const { readers, errors } = JSON.parse(found.stdout) as { readers: { name: string }[]; errors: string[] };
  const names = readers.map((r) => r.name);
  if (!names.includes(READER_0) || !names.includes(READER_1)) {
    throw new Error(`The virtual PC/SC readers are missing (found ${JSON.stringify(names)}, errors ${JSON.stringify(errors)}): install pcscd and vsmartcard-vpcd and start pcscd (see .ci/run)`);
  }
  sandbox = await startSandbox({ apiKey: KEY });
}, 30_000);
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function dbRows() {
  const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT uid, state, label, customer_id AS customerId, spirii_id AS spiriiId, source FROM tokens ORDER BY id').all();
  } finally {
    db.close();
  }
}

describe('a card tapped on a PC/SC reader', () => {
  it('is queued in SQLite, synced, and listed by GET /v2/tokens with its UID, label and customer', async () => {
    const env = cliEnv({ TOKEN_STATION_DATA_DIR: dir, TOKEN_STATION_API_URL: sandbox.url, TOKEN_STATION_API_KEY: KEY });
    const enroll = new CliProcess(
      ['enroll', '--customer', '1001', '--count', '1', '--reader', READER_0, '--label-prefix', 'DK.ACME.', '--label-start', '1', '--json'],
      env,
    );
    await enroll.waitForLine((l) => l.includes('"reader-attached"') && l.includes(READER_0));
    const card = await tapCard({ uid: '04A224B2C35D80', port: VPCD_PORTS[0], holdMs: 1200 });
    const queued = JSON.parse(await enroll.waitForLine((l) => l.includes('"queued"')));
    expect(queued).toMatchObject({ event: 'queued', uid: '04A224B2C35D80', label: 'DK.ACME.0001', customerId: 1001 });
    expect(await enroll.exited).toBe(0);
    expect(card.apdus).toContain('FFCA000000'); // the UID came from the card, through pcscd

    expect(dbRows()).toEqual([
      { uid: '04A224B2C35D80', state: 'pending', label: 'DK.ACME.0001', customerId: 1001, spiriiId: null, source: `pcsc:${READER_0}` },
    ]);

    const sync = await runCli(['sync', '--json'], env);
    expect(sync.code).toBe(0);
    const [row] = dbRows() as { spiriiId: number; state: string }[];
    expect(row).toMatchObject({ state: 'synced', spiriiId: expect.any(Number) });

    const response = await fetch(`${sandbox.url}/v2/tokens?search=04A224B2C35D80`, { headers: { authorization: `Bearer ${KEY}` } });
    const page = await response.json();
    expect(page.count).toBe(1);
    expect(page.data[0]).toMatchObject({
      id: row!.spiriiId,
      customerId: 1001,
      identifier: { type: 'rfid', uid: '04A224B2C35D80', label: 'DK.ACME.0001' },
    });
  }, 60_000);

  it('is ignored on a reader other than the chosen one', async () => {
    const env = cliEnv({ TOKEN_STATION_DATA_DIR: dir, TOKEN_STATION_API_URL: sandbox.url, TOKEN_STATION_API_KEY: KEY });
    const enroll = new CliProcess(['enroll', '--customer', '1002', '--count', '1', '--reader', READER_1, '--json'], env);
    await enroll.waitForLine((l) => l.includes('"reader-attached"') && l.includes(READER_1));
    await tapCard({ uid: '04112233445566', port: VPCD_PORTS[0], holdMs: 900 });
    const ignored = JSON.parse(await enroll.waitForLine((l) => l.includes('"ignored"')));
    expect(ignored).toMatchObject({ reader: READER_0, uid: '04112233445566' });
    await tapCard({ uid: '04AABBCCDDEEFF', port: VPCD_PORTS[1], holdMs: 900 });
    expect(JSON.parse(await enroll.waitForLine((l) => l.includes('"queued"')))).toMatchObject({ uid: '04AABBCCDDEEFF', customerId: 1002 });
    expect(await enroll.exited).toBe(0);
    expect(dbRows()).toEqual([expect.objectContaining({ uid: '04AABBCCDDEEFF', source: `pcsc:${READER_1}` })]);
  }, 60_000);

  it('is on disk by the time the tap is announced, and the same card again is refused', async () => {
    const station = await Station.create({ dataDir: dir, api: { baseUrl: sandbox.url, apiKey: KEY }, readers: { pcsc: true, simulated: false } });
    try {
      station.enrollmentDefaults.update({ customerId: 1003, labelPrefix: 'NT-', labelNext: 7 });
      const seen: { outcome: TapOutcome; rowsAtThatMoment: unknown[] }[] = [];
      station.events.on('tap', (outcome) => seen.push({ outcome, rowsAtThatMoment: dbRows() }));
      await expect.poll(() => station.readerDesk.readers().map((r) => r.name), { timeout: 10_000 }).toContain(READER_0);

      await tapCard({ uid: '04C0FFEE123456', port: VPCD_PORTS[0], holdMs: 900 });
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);
      expect(seen[0]!.outcome).toMatchObject({ status: 'queued', token: { uid: '04C0FFEE123456', label: 'NT-0007' } });
      // Another connection to the file already sees the row when the tap is announced.
      expect(seen[0]!.rowsAtThatMoment).toEqual([expect.objectContaining({ uid: '04C0FFEE123456', customerId: 1003 })]);

      // Back after the repeat window (2 s by default; within it, it would count as the same tap).
      await new Promise((r) => setTimeout(r, 2100));
      await tapCard({ uid: '04C0FFEE123456', port: VPCD_PORTS[0], holdMs: 900 });
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(2);
      expect(seen[1]!.outcome).toMatchObject({ status: 'refused', reason: 'duplicate', existing: { label: 'NT-0007' } });

      await expect.poll(() => station.queue.list()[0]?.state, { timeout: 10_000 }).toBe('synced');
    } finally {
      await station.close();
    }
  }, 60_000);
});

describe('token-station readers', () => {
  it('lists the PC/SC readers present', async () => {
    const result = await runCli(['readers'], cliEnv({}));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${READER_0} (pcsc)`);
    expect(result.stdout).toContain(`${READER_1} (pcsc)`);
  });
});
