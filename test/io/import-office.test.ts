/**
 * An import that catches what Spirii will refuse before anything is queued: customers Spirii does
 * not have (cache first, then GET /v2/customers in as few requests as it takes), expiry dates
 * already past, day-first dates with "/", a column mapping remembered per header set, grouped
 * problems, the file of rows that were not queued (with a reason) imported again after fixing,
 * and a row that replaces a token Spirii rejected before.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { planImport, parseDateTime } from '../../electron/core/io/import-plan';
import { openDatabase } from '../../electron/core/db/sqlite';
import { Settings } from '../../electron/core/settings';
import { CustomerDirectory } from '../../electron/core/customers';
import { SpiriiClient } from '../../electron/core/api/client';
import { startSandbox } from '../../electron/sandbox/server';
import { tempDir } from '../support/temp';
import { closedPort } from '../support/net';
import { DEFAULTS, ScriptedDialogs, cp1252, utf8, writeFile } from './support';

const opened: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function open() {
  const { dir, cleanup } = tempDir('token-station-import-office-');
  const dialogs = new ScriptedDialogs();
  const station = await Station.create({ dataDir: dir, dialogs, readers: { simulated: false }, sync: { autoStart: false } });
  opened.push({ close: async () => (await station.close(), cleanup()) });
  station.enrollmentDefaults.update({ customerId: 1001 });
  return { station, dialogs, dir };
}

describe('dates an office writes', () => {
  it('reads 31/12/2027 day first, like 31.12.2027 and 31-12-2027; refuses a month-first date', () => {
    expect(parseDateTime('31/12/2027')).toBe('2027-12-31T00:00:00.000Z');
    expect(parseDateTime('1/2/2027')).toBe('2027-02-01T00:00:00.000Z');
    expect(parseDateTime('31/12/2027')).toBe(parseDateTime('31.12.2027'));
    expect(parseDateTime('12/31/2027')).toBeUndefined();
    expect(parseDateTime('31/12-2027')).toBeUndefined(); // mixed separators are not a date
  });

  it('marks an expiry already past, and an expiry before the valid-from, before anything is queued', () => {
    const now = new Date('2026-12-01T08:00:00Z');
    const plan = planImport(utf8('uid;expiresAt;validFrom\n04D1000000A001;31/12/2027;\n04D1000000A002;30/11/2026;\n04D1000000A003;01.01.2027;02.01.2027\n'), { defaults: DEFAULTS, now });
    expect(plan.rows.map((r) => [r.status, r.detail?.key])).toEqual([
      ['ready', undefined],
      ['invalid', 'expired'],
      ['invalid', 'expires-before'],
    ]);
    expect(plan.rows[1]!.message).toBe('expiresAt (2026-11-30T00:00:00.000Z) is already past: Spirii refuses a card that has expired');
  });
});

describe('the customer check', () => {
  it('asks Spirii once per unseen customer at most, and not at all for cached ones', async () => {
    const customers = Array.from({ length: 3000 }, (_, i) => ({ id: 5000 + i, name: `Kunde ${i}`, externalId: null }));
    const sandbox = await startSandbox({ apiKey: 'k', customers });
    opened.push({ close: () => sandbox.close() });
    const { dir, cleanup } = tempDir();
    const db = openDatabase(dir);
    opened.push({ close: async () => (db.close(), cleanup()) });
    const directory = new CustomerDirectory(new SpiriiClient({ baseUrl: sandbox.url, apiKey: 'k' }), new Settings(db));

    const wanted = [...Array.from({ length: 50 }, (_, i) => 5000 + i * 7), 99_999];
    const before = sandbox.stats.requests;
    const first = await directory.resolve([...wanted, ...wanted]);
    // 3,000 customers are 3 pages of 1,000: one count request and 3 pages beat 51 searches.
    expect(sandbox.stats.requests - before).toBe(4);
    expect(first).toMatchObject({ state: 'checked', requests: 4 });
    expect(first.known.get(5007)?.name).toBe('Kunde 7');
    expect([...first.unknown]).toEqual([99_999]);

    const again = sandbox.stats.requests;
    const second = await directory.resolve(wanted.slice(0, 50));
    expect(second.requests).toBe(0);
    expect(sandbox.stats.requests).toBe(again);

    // Two unseen customers among 3,000: two searches (plus the count) instead of three pages.
    const few = await directory.resolve([5001, 5002]);
    expect(few.requests).toBe(3);
    expect(few.known.get(5002)?.name).toBe('Kunde 2');
  });

  it('offline, checks what the cache knows and says the rest was not checked', async () => {
    const { dir, cleanup } = tempDir();
    const db = openDatabase(dir);
    opened.push({ close: async () => (db.close(), cleanup()) });
    const directory = new CustomerDirectory(new SpiriiClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k' }), new Settings(db));
    const result = await directory.resolve([1001]);
    expect(result.state).toBe('offline');
    expect(result.unknown.size).toBe(0);
  });
});

describe('an import of a 500-row Windows-1252 file with bad rows', () => {
  const rows = Array.from({ length: 500 }, (_, i) => {
    const uid = `04E1AB${String(i).padStart(8, '0')}`;
    const customer = i === 17 ? '9999' : i % 2 ? '1002' : '1003';
    const expires = i === 42 ? '01.01.2020' : '31/12/2027';
    return `${uid};Mølle-${i};${customer};${expires}`;
  });
  const FILE = cp1252(['uid;label;customerId;expiresAt', ...rows].join('\r\n') + '\r\n');

  it('marks the unknown customer and the past expiry, names the customers, groups problems, saves the rejected rows and imports them again fixed', async () => {
    const { station, dialogs, dir } = await open();
    dialogs.answer(writeFile(dir, 'kort.csv', FILE));
    const first = await station.files.openImport({});
    if (first.status !== 'ready') throw new Error(JSON.stringify(first));
    const p = first.preview;
    expect(p.format.encodingId).toBe('windows-1252');
    expect(p.summary).toMatchObject({ rows: 500, ready: 498, invalid: 2 });
    expect(p.customers).toMatchObject({ state: 'checked' });
    expect(p.rows[17]).toMatchObject({ row: 19, status: 'invalid', detail: { key: 'unknown-customer', params: { customerId: 9999 } }, customerName: null });
    expect(p.rows[42]).toMatchObject({ row: 44, status: 'invalid', detail: { key: 'expired' } });
    expect(p.rows[1]).toMatchObject({ customerId: 1002, customerName: 'Nordlys Taxi A/S', label: 'Mølle-1' });
    expect(p.groups.map((g) => [g.key, g.count, g.rows])).toEqual([
      ['unknown-customer:9999', 1, [19]],
      ['expired', 1, [44]],
    ]);
    expect(station.files.confirmImport(p.id).queued).toBe(498);

    // The same file again: the 498 queued fold into one counted line, the two real problems first.
    dialogs.answer(writeFile(dir, 'kort.csv', FILE));
    const again = await station.files.openImport({});
    if (again.status !== 'ready') throw new Error(JSON.stringify(again));
    expect(again.preview.groups.map((g) => [g.severity, g.count])).toEqual([
      ['error', 1],
      ['error', 1],
      ['duplicate', 498],
    ]);
    expect(again.preview.groups[2]!.message).toMatch(/^498 cards are already in the queue \((pending|held)\): not queued again$/);
    expect(again.preview.notQueued).toBe(2);

    // Save the two rows, with the file's own columns and a reason, fix them, import them again.
    const out = `${dir}/kort-not-queued.csv`;
    dialogs.answer(out);
    const saved = await station.files.saveNotQueued(again.preview.id);
    expect(saved).toMatchObject({ status: 'done', rows: 2, fileName: 'kort-not-queued.csv' });
    expect(dialogs.asked.at(-1)).toEqual({ kind: 'save', title: 'Save the rows that were not queued', defaultName: 'kort-not-queued.csv' });
    const text = readFileSync(out, 'utf8').replace(/^\uFEFF/, '');
    const lines = parse(text, { delimiter: ';' }) as string[][];
    expect(lines[0]).toEqual(['uid', 'label', 'customerId', 'expiresAt', 'reason']);
    expect(lines[1]).toEqual(['04E1AB00000017', 'Mølle-17', '9999', '31/12/2027', 'Spirii has no customer 9999: check the customer number']);
    expect(lines[2]!.slice(0, 4)).toEqual(['04E1AB00000042', 'Mølle-42', '1003', '01.01.2020']);
    expect(lines[2]![4]).toMatch(/^expiresAt \(2020-01-01T00:00:00\.000Z\) is already past/);
    expect(lines).toHaveLength(3);

    const fixed = text.replace('"9999"', '"1004"').replace('01.01.2020', '01.01.2030');
    dialogs.answer(writeFile(dir, 'kort-fixed.csv', fixed));
    const third = await station.files.openImport({});
    if (third.status !== 'ready') throw new Error(JSON.stringify(third));
    expect(third.preview.problems.filter((x) => x.severity !== 'duplicate')).toEqual([]); // the reason column is known: no warning
    expect(third.preview.summary).toMatchObject({ rows: 2, ready: 2 });
    expect(station.files.confirmImport(third.preview.id).queued).toBe(2);
    expect(station.queue.findByUid('04E1AB00000017')).toMatchObject({ customerId: 1004 });
  }, 60_000);
});

describe('a row whose earlier token Spirii rejected', () => {
  it('replaces the rejected token instead of being held back by it', async () => {
    const { station, dialogs, dir } = await open();
    const old = station.queue.add({ ...DEFAULTS, uid: '04F1000000A001', label: 'OLD', customerId: 1001, source: 'test' });
    station.db.prepare(`UPDATE tokens SET state = 'rejected', last_error = 'customerId: customer 1001 not found' WHERE id = ?`).run(old.id);
    dialogs.answer(writeFile(dir, 'fix.csv', 'uid;label;customerId\n04F1000000A001;NEW;1002\n'));
    const result = await station.files.openImport({});
    if (result.status !== 'ready') throw new Error(JSON.stringify(result));
    expect(result.preview.summary).toMatchObject({ ready: 1, duplicateInQueue: 0, replacing: 1 });
    expect(result.preview.rows[0]).toMatchObject({ status: 'ready', replaces: old.id });
    expect(result.summaryText).toBe('1 rows: 1 to queue (1 of them replacing a token Spirii rejected).');
    expect(station.files.confirmImport(result.preview.id).queued).toBe(1);
    expect(station.queue.get(old.id)!.state).toBe('discarded');
    expect(station.queue.findByUid('04F1000000A001')).toMatchObject({ label: 'NEW', customerId: 1002, state: 'pending' });
  }, 30_000);
});

describe('columns the import does not know', () => {
  it('asks which column is which for Kortnummer;Etiket;Kunde, and remembers the answer for those headers', async () => {
    const { station, dialogs, dir } = await open();
    const file = writeFile(dir, 'dansk.csv', 'Kortnummer;Etiket;Kunde\n04F2000000A001;DK.1;1002\n');
    dialogs.answer(file);
    const asked = await station.files.openImport({});
    if (asked.status !== 'mapping') throw new Error(JSON.stringify(asked));
    expect(asked.columns.map((c) => [c.header, c.field])).toEqual([
      ['Kortnummer', null],
      ['Etiket', null],
      ['Kunde', null],
    ]);
    expect(asked.guesses.map((c) => c.field)).toEqual(['uid', 'label', 'customerId']);

    const mapped = await station.files.previewAgain(asked.id, { mapping: { Kortnummer: 'uid', Etiket: 'label', Kunde: 'customerId' } });
    if (mapped.status !== 'ready') throw new Error(JSON.stringify(mapped));
    expect(mapped.preview.rows[0]).toMatchObject({ uid: '04F2000000A001', label: 'DK.1', customerId: 1002, customerName: 'Nordlys Taxi A/S' });
    station.files.discardImport(mapped.preview.id);

    // Another file with the same headers: no question, the remembered mapping.
    dialogs.answer(writeFile(dir, 'dansk2.csv', 'Kortnummer;Etiket;Kunde\n04F2000000A002;DK.2;1003\n'));
    const remembered = await station.files.openImport({});
    if (remembered.status !== 'ready') throw new Error(JSON.stringify(remembered));
    expect(remembered.preview.rows[0]).toMatchObject({ uid: '04F2000000A002', label: 'DK.2', customerId: 1003 });
  }, 30_000);
});
