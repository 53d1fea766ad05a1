// Identifying a card (online, offline with the age of what the desk last saw, unknown), the tap
// mode switch (a tap while identifying queues nothing), and the handover list, against the sandbox
// over real HTTP and a real SQLite file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { CardIdentifier, type CardReport } from '../../electron/core/card';
import { SeenTokens } from '../../electron/core/spirii-seen';
import { handoverBatches, handoverList, saveHandoverPdf, withCustomerNames } from '../../electron/core/handover';
import { tempDir } from '../support/temp';

const UID = '04A224B2C35D80';
const OTHER = '04B335C3D46E91';
const HOUR = 3_600_000;

let dir: string;
let cleanup: () => void;
let sandbox: Sandbox;
let station: Station;
let sandboxOpen: boolean;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  sandbox = await startSandbox({ apiKey: 'card-test', rateLimit: false });
  sandboxOpen = true;
  station = await Station.create({
    dataDir: dir,
    api: { baseUrl: sandbox.url, apiKey: 'card-test' },
    readers: { simulated: true, pcsc: false },
    sync: { autoStart: false },
  });
  station.preferences.update({ operatorName: 'Mette' });
});

afterEach(async () => {
  await station.close();
  if (sandboxOpen) await sandbox.close();
  cleanup();
});

async function enrollAndSync(uid: string, label: string, customerId = 1001) {
  expect(station.enrollment.tap(uid, 'cli', { label, customerId })).toMatchObject({ status: 'queued' });
  const status = await station.sync.settle(20_000);
  expect(status.counts.synced).toBeGreaterThan(0);
}

async function goOffline() {
  await sandbox.close();
  sandboxOpen = false;
}

/** An identifier over the station's parts with a clock the test moves. */
function identifierAt(clock: { now: Date }) {
  return new CardIdentifier({ queue: station.queue, seen: station.seen, audit: station.audit, client: station.client, customers: station.customers }, { now: () => clock.now });
}

describe('identify a card', () => {
  it('online: Spirii’s token with its customer, this desk’s row and history, the audit entries', async () => {
    await enrollAndSync(UID, 'DK.ACME.0001');
    const report = await station.taps.identify('04:a2:24:b2:c3:5d:80');
    expect(report).toMatchObject({
      by: 'uid',
      uid: UID,
      spiriiSource: 'live',
      ageMs: 0,
      problem: null,
      known: true,
      customerName: 'Acme Fleet ApS',
      spirii: { customerId: 1001, identifier: { uid: UID, label: 'DK.ACME.0001' }, isActive: true, roamingEnabled: true, priorityChargingEnabled: true, billingReference: null },
      queue: { uid: UID, state: 'synced', label: 'DK.ACME.0001' },
    });
    expect(report.spirii!.updatedAt).toMatch(/^\d{4}-/);
    expect(report.spirii!.validFrom).toMatch(/^\d{4}-/);
    expect(report.history.map((row) => row.state)).toEqual(['synced']);
    expect(report.audit.map((entry) => [entry.action, entry.operator])).toEqual([['enroll', 'Mette']]);

    // By its label, in any case: the same card.
    expect(await station.taps.identify('dk.acme.0001')).toMatchObject({ by: 'label', uid: UID, spiriiSource: 'live', known: true });
  });

  it('offline: what this desk last saw, saying how old it is', async () => {
    await enrollAndSync(UID, 'DK.ACME.0002');
    const clock = { now: new Date() };
    const cards = identifierAt(clock);
    const seen = await cards.identify(UID);
    expect(seen.spiriiSource).toBe('live');

    clock.now = new Date(clock.now.getTime() + 3 * HOUR);
    await goOffline();
    const report = await cards.identify(UID);
    expect(report).toMatchObject({
      uid: UID,
      spiriiSource: 'seen',
      seenAt: seen.seenAt,
      ageMs: 3 * HOUR,
      problemDetail: { key: 'offline' },
      known: true,
      customerName: 'Acme Fleet ApS',
      spirii: { identifier: { label: 'DK.ACME.0002' }, customerId: 1001 },
      queue: { state: 'synced' },
    });
    // What the sandbox held says nothing about another API.
    expect(new SeenTokens(station.db, () => 'https://api.spirii.com').byUid(UID)).toBeUndefined();
    expect(station.seen.byUid(UID)).toMatchObject({ token: { identifier: { uid: UID } } });
    // By label offline too, from this desk's own rows.
    expect(await cards.identify('DK.ACME.0002')).toMatchObject({ by: 'label', uid: UID, spiriiSource: 'seen', problemDetail: { key: 'offline' } });
  });

  it('unknown: Spirii has no such token and this desk never had the card; offline, that it was never seen', async () => {
    const report = await station.taps.identify(OTHER);
    expect(report).toMatchObject({ uid: OTHER, known: false, spiriiSource: 'live', spirii: null, queue: null, history: [], audit: [], problem: null });

    await goOffline();
    const never = await station.taps.identify('04C446D4E57FA2');
    expect(never).toMatchObject({ uid: '04C446D4E57FA2', known: false, spiriiSource: 'never', spirii: null, problemDetail: { key: 'offline' } });
    // The card Spirii was asked about while online: it had none then, and the desk says when.
    expect(await station.taps.identify(OTHER)).toMatchObject({ known: false, spiriiSource: 'seen', spirii: null, seenAt: report.seenAt, problemDetail: { key: 'offline' } });
    // A label nobody has.
    expect(await station.taps.identify('NO SUCH LABEL')).toMatchObject({ by: 'label', uid: null, known: false, problemDetail: { key: 'offline' } });
  });

  it('a discarded row and a later one are the card’s history here, newest first', async () => {
    const first = station.enrollment.tap(UID, 'cli', { label: 'WRONG', customerId: 1002 });
    if (first.status !== 'queued') throw new Error('not queued');
    station.queue.discard(first.token.id);
    station.enrollment.tap(UID, 'cli', { label: 'RIGHT', customerId: 1001 });
    const report = await station.cards.identify(UID, { live: false });
    expect(report.history.map((row) => [row.state, row.label])).toEqual([
      ['pending', 'RIGHT'],
      ['discarded', 'WRONG'],
    ]);
    expect(report.queue).toMatchObject({ label: 'RIGHT', state: 'pending' });
    expect(report.known).toBe(true);
  });
});

describe('the tap mode', () => {
  it('a tap while identifying queues nothing and is identified; back in enroll mode it is queued', async () => {
    station.enrollmentDefaults.update({ customerId: 1001, labelPrefix: 'DK.', labelNext: 1 });
    const taps: unknown[] = [];
    const cards: CardReport[] = [];
    station.events.on('tap', (outcome) => taps.push(outcome));
    station.events.on('card', (report) => cards.push(report));

    station.taps.setMode('identify');
    const report = await station.simulateIdentify(UID);
    expect(report).toMatchObject({ uid: UID, known: false, spiriiSource: 'live' });
    // The wedge in the window goes the same way.
    expect(station.readerDesk.typed(OTHER)).toMatchObject({ uid: OTHER, outcome: null, lastCard: { outcome: 'identified' } });
    await expect.poll(() => cards.filter((c) => c.uid === OTHER && c.spiriiSource === 'live').length).toBe(1);
    // The desk's own answer came first, then Spirii's.
    expect(cards.filter((c) => c.uid === UID).map((c) => c.spiriiSource)).toEqual(['pending', 'live']);
    expect(() => station.simulateTap(UID)).toThrow(/identifying cards/);

    expect(taps).toEqual([]);
    expect(station.queue.list()).toEqual([]);
    expect(station.enrollmentDefaults.value.labelNext).toBe(1);
    expect(station.readerDesk.status().lastCard).toMatchObject({ uid: OTHER, outcome: 'identified' });

    station.taps.setMode('enroll');
    expect(station.simulateTap(UID)).toMatchObject({ status: 'queued', token: { uid: UID, label: 'DK.0001' } });
    await expect(station.simulateIdentify(OTHER)).rejects.toThrow(/Identify mode is off/);
  });

  it('a reader’s card whose identification fails is announced as failed, not as a tap, and queues nothing', async () => {
    station.enrollmentDefaults.update({ customerId: 1001 });
    const taps: unknown[] = [];
    const failed: unknown[] = [];
    station.events.on('tap', (outcome) => taps.push(outcome));
    station.taps.on((event) => {
      if (event.type === 'failed') failed.push(event.uid);
    });
    station.taps.setMode('identify');
    // A real failure inside identification: what the desk last saw of Spirii cannot be read.
    station.db.exec('DROP TABLE spirii_seen');
    station.simulated!.present(UID); // through the reader path: adapter -> desk -> router
    await expect(station.taps.lastIdentification).rejects.toThrow(/spirii_seen/);
    expect(failed).toEqual([UID]);
    expect(taps).toEqual([]);
    expect(station.queue.list()).toEqual([]);
    expect(station.readerDesk.status().lastCard).toMatchObject({ uid: UID, outcome: 'identified' });
  });
});

describe('the handover list', () => {
  it('for the session, one import and one customer: label, UID, validity, state, customer name and operator; saved as a PDF', async () => {
    await station.customers.search('Acme'); // the desk has seen the customer's name
    station.session.restart();
    station.enrollment.tap(UID, 'cli', { label: 'DK.ACME.0001', customerId: 1001 });
    station.enrollment.tap(OTHER, 'cli', { label: 'DK.ACME.0002', customerId: 1001 });
    await station.sync.settle(20_000);
    station.enrollmentDefaults.update({ customerId: 1002, expiresAt: '2027-12-31T23:59:59.000Z' });
    station.queue.add({ ...draft('04D557E5F68AB3', 'NT-1'), source: 'import:nordlys.csv' });

    const session = handoverList(station, { kind: 'session' });
    expect(session.operator).toBe('Mette');
    expect(session.cards.map((c) => [c.label, c.uid, c.state, c.isActive])).toEqual([
      ['DK.ACME.0001', UID, 'synced', true],
      ['DK.ACME.0002', OTHER, 'synced', true],
      ['NT-1', '04D557E5F68AB3', 'pending', true],
    ]);
    expect(session.customers).toEqual([
      { id: 1001, name: 'Acme Fleet ApS' },
      { id: 1002, name: null },
    ]);

    // A name the desk had not seen is asked of Spirii (and remembered); offline it stays unknown.
    expect((await withCustomerNames(session, station.customers)).customers).toEqual([
      { id: 1001, name: 'Acme Fleet ApS' },
      { id: 1002, name: 'Nordlys Taxi A/S' },
    ]);
    expect(handoverList(station, { kind: 'session' }).customers[1]).toEqual({ id: 1002, name: 'Nordlys Taxi A/S' });

    expect(handoverBatches(station.queue)).toEqual([{ source: 'import:nordlys.csv', name: 'nordlys.csv', count: 1, firstAt: expect.any(String), customerIds: [1002] }]);
    const batch = handoverList(station, { kind: 'batch', source: 'import:nordlys.csv' });
    expect(batch).toMatchObject({ batchName: 'nordlys.csv', cards: [{ uid: '04D557E5F68AB3', expiresAt: '2027-12-31T23:59:59.000Z' }] });

    const customer = handoverList(station, { kind: 'customer', customerId: 1001 });
    expect(customer.cards.map((c) => c.uid)).toEqual([UID, OTHER]);
    expect(customer.customers).toEqual([{ id: 1001, name: 'Acme Fleet ApS' }]);

    const target = path.join(dir, 'handover.pdf');
    const printed = Buffer.from('%PDF-1.4 test');
    const dialogs = { pickOpenFile: async () => null, pickSaveFile: async () => target };
    expect(await saveHandoverPdf({ dialogs, print: async () => printed }, customer)).toMatchObject({ status: 'done', fileName: 'handover.pdf', rows: 2, bytes: printed.length });
    expect(readFileSync(target)).toEqual(printed);
    expect(await saveHandoverPdf({ dialogs: { ...dialogs, pickSaveFile: async () => null }, print: async () => printed }, customer)).toEqual({ status: 'cancelled' });
    await expect(saveHandoverPdf({ dialogs, print: undefined }, customer)).rejects.toThrow(/cannot print to PDF/);
  });

  it('never saves the handover PDF over a file in the data folder (the database), whatever the save dialog chose', async () => {
    station.enrollment.tap(UID, 'cli', { label: 'DK.ACME.0001', customerId: 1001 });
    const list = handoverList(station, { kind: 'session' });
    const database = path.join(dir, 'token-station.sqlite');
    const before = readFileSync(database);
    const dialogs = { pickOpenFile: async () => null, pickSaveFile: async () => database };
    await expect(saveHandoverPdf({ dialogs, print: async () => Buffer.from('%PDF-1.4 test') }, list)).rejects.toThrow(/is in the data folder/);
    expect(readFileSync(database)).toEqual(before);
    expect(station.queue.findByUid(UID)).toMatchObject({ label: 'DK.ACME.0001' });
    // Nothing of the PDF is left beside it either.
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });
});

function draft(uid: string, label: string) {
  return {
    uid,
    customerId: 1002,
    label,
    validFrom: null,
    expiresAt: '2027-12-31T23:59:59.000Z',
    isActive: true,
    roamingEnabled: true,
    priorityChargingEnabled: false,
    billingReference: null,
    comment: null,
    source: 'cli',
  };
}
