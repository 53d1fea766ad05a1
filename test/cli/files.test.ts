// `token-station import`, `export` and `reconcile` as a user runs them: real processes, a real
// SQLite file, the sandbox CLI over real HTTP. Exit codes: 0 done, 1 not everything done, 2 bad input.
import { closeSync, ftruncateSync, openSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { runCli } from '../support/cli';
import { useCliRig } from '../support/cli-rig';
import { writeFile } from '../io/support';

const KEY = 'cli-files-key';
const rig = useCliRig(KEY, { tempPrefix: 'token-station-cli-files-', dataSubdir: 'data' });
let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => ({ dir, env } = rig));

const CARDS = 'sep=;\r\nCard;Visual ID;Customer;comment\r\n04B1000000A001;V-1;;=1+2\r\n04B1000000A002;V-2;1002;\r\nnot-hex;V-3;;\r\n04B1000000A001;V-1;;=1+2\r\n';

describe('token-station import', () => {
  it('previews with --dry-run, queues the ready rows, says what it did with each; twice queues nothing', async () => {
    const file = writeFile(dir, 'cards.csv', CARDS);
    const dry = await runCli(['import', file, '--customer', '1001', '--dry-run'], env);
    expect(dry.stdout.split('\n')).toEqual([
      'cards.csv: UTF-8, semicolon-separated (from its "sep=" line), CRLF line ends, UIDs in hex (detected).',
      'Row 4, column Card: UID "not-hex" is not hexadecimal (only 0-9 and A-F are allowed)',
      'Row 5, column Card: Card 04B1000000A001 repeats row 2; it is queued once',
      '4 rows: 2 to queue; not queued: 1 with problems, 1 repeated in the file.',
      'Dry run: nothing was queued.',
      '',
    ]);
    expect(dry.code).toBe(1); // a row with a problem: not everything can be done

    const json = await runCli(['import', file, '--customer', '1001', '--json'], env);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ queued: 2, dryRun: false, summary: { rows: 4, ready: 2, invalid: 1, duplicateInFile: 1 }, spirii: { state: 'checked' } });
    expect(result.rows).toHaveLength(4);
    expect(result.rows[0]).toMatchObject({ row: 2, uid: '04B1000000A001', label: 'V-1', customerId: 1001, comment: '=1+2', status: 'ready' });
    expect(result.rows[1]).toMatchObject({ customerId: 1002 });

    const queue = JSON.parse((await runCli(['queue', '--json'], env)).stdout);
    expect(queue.map((t: { uid: string }) => t.uid).sort()).toEqual(['04B1000000A001', '04B1000000A002']);

    const again = await runCli(['import', file, '--customer', '1001'], env);
    expect(again.stdout).toContain('This file was imported before');
    expect(again.stdout).toContain('2 already in the queue');
    expect(again.stdout).toContain('Queued 0 cards from cards.csv');
  }, 60_000);

  it('exits 0 when every row is queued, and 2 with nothing changed on bad input', async () => {
    const good = writeFile(dir, 'good.csv', 'uid,customerId\n04B1000000B001,1001\n');
    expect((await runCli(['import', good], env)).code).toBe(0);

    const bad: [string[], RegExp][] = [
      [['import'], /give the CSV file to import/],
      [['import', good, '--customer', 'x'], /--customer must be a positive integer/],
      [['import', good, '--uid-format', 'octal'], /--uid-format must be one of hex, reversed, decimal, 8h10d, auto/],
      [['import', path.join(dir, 'missing.csv')], /Cannot read missing.csv: no such file/],
      [['import', writeFile(dir, 'bin.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]))], /not a CSV file: it is a ZIP archive or an Excel workbook/],
      [['import', writeFile(dir, 'nouid.csv', 'label\nA\n')], /No UID column/],
      [['import', writeFile(dir, 'quote.csv', 'uid\n"04B1000000B002\n04B1000000B003\n')], /A quoted field starting in row 2 is never closed/],
      [['export', '--source', 'spirii', '--out', path.join(dir, 'x.txt')], /--format is required/],
      [['export', '--source', 'cloud', '--format', 'csv', '--out', path.join(dir, 'x.csv')], /--source must be one of spirii, local/],
      [['export', '--source', 'spirii', '--format', 'csv'], /--out is required/],
      [['export', '--source', 'spirii', '--format', 'csv', '--out', path.join(dir, 'x.csv'), '--active', 'maybe'], /--active must be true or false/],
      [['export', '--source', 'spirii', '--format', 'csv', '--out', path.join(dir, 'x.csv'), '--valid-from', 'yesterday'], /--valid-from/],
      [['export', '--source', 'local', '--format', 'csv', '--out', path.join(dir, 'x.csv'), '--state', 'lost'], /--state must be one of held, pending/],
    ];
    const huge = path.join(dir, 'huge.csv');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    bad.push([['import', huge], /The file is 50\.0 MB/]);
    for (const [args, message] of bad) {
      const run = await runCli(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(path.join(dir, 'x.csv'))).toBe(false);
    const queue = JSON.parse((await runCli(['queue', '--json'], env)).stdout);
    expect(queue).toHaveLength(1);
  }, 90_000);

  it('--save-rejected writes the rows that were not queued with a reason column; fixed, they import', async () => {
    const file = writeFile(dir, 'office.csv', 'uid;customerId;expiresAt\n04B1000000C001;1002;31/12/2027\n04B1000000C002;9999;31/12/2027\n04B1000000C003;1002;01/01/2020\n');
    const out = path.join(dir, 'rejected.csv');
    const run = await runCli(['import', file, '--save-rejected', out], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Row 3, column customerId: Spirii has no customer 9999: check the customer number');
    expect(run.stdout).toContain('Saved 2 rows that were not queued to rejected.csv (column "reason" says why).');
    const rows = parse(readFileSync(out, 'utf8'), { delimiter: ';', bom: true }) as string[][];
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['uid', 'customerId', 'expiresAt'],
      ['04B1000000C002', '9999', '31/12/2027'],
      ['04B1000000C003', '1002', '01/01/2020'],
    ]);
    expect(rows[0]![3]).toBe('reason');
    writeFile(dir, 'fixed.csv', readFileSync(out, 'utf8').replace('"9999"', '"1003"').replace('01/01/2020', '01/01/2030'));
    const fixed = await runCli(['import', path.join(dir, 'fixed.csv')], env);
    expect(fixed.stdout).toContain('2 rows: 2 to queue.');
    expect(fixed.code).toBe(0);
  }, 60_000);
});

describe('token-station export and reconcile', () => {
  it('exports the local queue and Spirii with filters, then reconciles', async () => {
    const file = writeFile(dir, 'cards.csv', 'uid;label;customerId\n04B1000000C001;=cmd;1003\n04B1000000C002;C-2;1004\n');
    expect((await runCli(['import', file], env)).code).toBe(0);
    expect((await runCli(['sync'], env)).code).toBe(0);

    const local = path.join(dir, 'local.csv');
    const run = await runCli(['export', '--source', 'local', '--format', 'csv', '--out', local, '--delimiter', ';', '--bom', '--state', 'synced'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Exported 2 tokens to local.csv.\n');
    // Headers for people by default...
    const rows = parse(readFileSync(local), { bom: true, delimiter: ';', columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.UID, r.Label, r.State, r['Customer number'], r['Customer name']])).toEqual([
      ['04B1000000C001', "'=cmd", 'synced', '1003', 'Fjordhavn Kommune'],
      ['04B1000000C002', 'C-2', 'synced', '1004', 'Bornholm Elbiler ApS'],
    ]);

    const spirii = path.join(dir, 'spirii.json');
    const json = await runCli(['export', '--source', 'spirii', '--out', spirii, '--customer', '1004', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: 1, message: 'Exported 1 tokens to spirii.json.' });
    expect(JSON.parse(readFileSync(spirii, 'utf8'))).toEqual([expect.objectContaining({ uid: '04B1000000C002', customerId: 1004, label: 'C-2' })]);

    const reconcile = await runCli(['reconcile', '--customer', '1003', '--json'], env);
    expect(reconcile.code).toBe(0);
    expect(JSON.parse(reconcile.stdout)).toMatchObject({ localTokens: 1, spiriiTokens: 1, differences: [] });

    // Both exports are in the audit trail, with the file they wrote.
    const trail = await runCli(['audit', '--action', 'export', '--json'], env);
    expect(trail.code).toBe(0);
    const exports = JSON.parse(trail.stdout) as { action: string; subject: string; details: { source: string; rows: number } }[];
    expect(exports.map((e) => [e.subject, e.details.source, e.details.rows]).sort()).toEqual([
      [local, 'local', 2],
      [spirii, 'spirii', 1],
    ]);
    // ...the API's names with --headers api, for a file to import again.
    const forImport = path.join(dir, 'for-import.csv');
    expect((await runCli(['export', '--source', 'local', '--out', forImport, '--headers', 'api', '--state', 'synced'], env)).code).toBe(0);
    const apiRows = parse(readFileSync(forImport), { bom: true, columns: true }) as Record<string, string>[];
    expect(apiRows.map((r) => [r.uid, r.customerId, r.customerName])).toEqual([
      ['04B1000000C001', '1003', 'Fjordhavn Kommune'],
      ['04B1000000C002', '1004', 'Bornholm Elbiler ApS'],
    ]);
    expect((await runCli(['export', '--source', 'local', '--out', forImport, '--force', '--headers', 'people'], env)).code).toBe(2);
  }, 90_000);
});
