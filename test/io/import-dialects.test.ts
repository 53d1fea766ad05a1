/**
 * The corpus: one card list written in each dialect a spreadsheet or a supplier produces. Every
 * one must give the same records, and the preview must name the format it found.
 */
import { describe, expect, it } from 'vitest';
import { planImport, parseDateTime, fieldOfHeader } from '../../electron/core/io/import-plan';
import { FileRefused } from '../../electron/core/io/text';
import { cp1252, DEFAULTS, utf8 } from './support';

const EXPECTED = [
  { uid: '04A224B2C35D80', label: 'DK.ÆØÅ.0001', customerId: 1001, comment: 'Café; "quoted", with, commas' },
  { uid: '04A224B2C35D81', label: 'DK.ÆØÅ.0002', customerId: 1002, comment: null },
];

function csv(delimiter: string, eol: string): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return [
    ['uid', 'label', 'customerId', 'comment'].join(delimiter),
    ['04A224B2C35D80', 'DK.ÆØÅ.0001', '1001', q('Café; "quoted", with, commas')].join(delimiter),
    ['04:a2:24:b2:c3:5d:81', 'DK.ÆØÅ.0002', '1002', ''].join(delimiter),
  ].join(eol);
}

function records(bytes: Uint8Array) {
  const plan = planImport(bytes, { defaults: DEFAULTS });
  return { plan, rows: plan.rows.map((r) => ({ uid: r.values.uid, label: r.values.label, customerId: r.values.customerId, comment: r.values.comment })) };
}

describe('import dialects', () => {
  const cases: { name: string; bytes: Uint8Array; encoding: string; delimiter: string; lineEnding: string; sepLine?: boolean }[] = [
    { name: 'UTF-8, comma, LF', bytes: utf8(csv(',', '\n')), encoding: 'utf-8', delimiter: ',', lineEnding: 'LF' },
    { name: 'UTF-8 with BOM, semicolon, CRLF', bytes: utf8(csv(';', '\r\n'), true), encoding: 'utf-8-bom', delimiter: ';', lineEnding: 'CRLF' },
    { name: 'Windows-1252, semicolon, CRLF', bytes: cp1252(csv(';', '\r\n')), encoding: 'windows-1252', delimiter: ';', lineEnding: 'CRLF' },
    { name: 'UTF-8, tab, LF', bytes: utf8(csv('\t', '\n')), encoding: 'utf-8', delimiter: '\t', lineEnding: 'LF' },
    { name: 'sep=; first line, Windows-1252', bytes: cp1252('sep=;\r\n' + csv(';', '\r\n')), encoding: 'windows-1252', delimiter: ';', lineEnding: 'CRLF', sepLine: true },
    { name: 'sep=, overriding a file full of semicolons', bytes: utf8('sep=,\n' + csv(',', '\n')), encoding: 'utf-8', delimiter: ',', lineEnding: 'LF', sepLine: true },
    { name: 'trailing blank lines and Excel\'s empty ;;; rows', bytes: utf8(csv(';', '\r\n') + '\r\n;;;\r\n\r\n'), encoding: 'utf-8', delimiter: ';', lineEnding: 'CRLF' },
    {
      name: 'UTF-16LE with BOM (Excel "Unicode text"), tab',
      bytes: new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv('\t', '\r\n'), 'utf16le')])),
      encoding: 'utf-16le',
      delimiter: '\t',
      lineEnding: 'CRLF',
    },
  ];

  for (const c of cases) {
    it(`reads ${c.name}`, () => {
      const { plan, rows } = records(c.bytes);
      expect(rows).toEqual(EXPECTED);
      expect(plan.format).toMatchObject({ encoding: c.encoding, delimiter: c.delimiter, lineEnding: c.lineEnding, sepLine: c.sepLine ?? false });
      expect(plan.rows.every((r) => r.status === 'ready')).toBe(true);
      expect(plan.problems).toEqual([]);
    });
  }

  it('numbers rows as a spreadsheet does: the header is row 1, a quoted line break stays in its row, the sep= line is not a row', () => {
    const text = 'sep=;\nuid;comment\n04A224B2;"two\nlines"\n\nnot-a-uid;x\n';
    const plan = planImport(utf8(text), { defaults: DEFAULTS });
    expect(plan.rows.map((r) => r.row)).toEqual([2, 4]);
    // A comment is one line: the line break is named as the row's problem (a token's text holds no control characters).
    expect(plan.problems).toEqual([
      expect.objectContaining({ row: 2, column: 'comment', severity: 'error', detail: { key: 'control-characters', params: { field: 'comment' } } }),
      expect.objectContaining({ row: 4, column: 'uid', severity: 'error', message: expect.stringContaining('not hexadecimal') }),
    ]);
  });

  it('matches header names without regard to case, and the aliases card, rfid, visual id, customer', () => {
    for (const [header, field] of [
      ['UID', 'uid'],
      ['Card', 'uid'],
      ['RFID', 'uid'],
      ['Visual ID', 'label'],
      ['visual_id', 'label'],
      ['Customer', 'customerId'],
      ['CUSTOMERID', 'customerId'],
      ['customer id', 'customerId'],
      ['ExpiresAt', 'expiresAt'],
      ['priorityChargingEnabled', 'priorityChargingEnabled'],
      ['colour', null],
    ] as const) {
      expect(fieldOfHeader(header), header).toBe(field);
    }
    const plan = planImport(utf8('Card;Visual ID;Customer;Colour\n04A224B2;V-1;1005;red\n'), { defaults: DEFAULTS });
    expect(plan.rows[0]!.values).toMatchObject({ uid: '04A224B2', label: 'V-1', customerId: 1005 });
    expect(plan.problems).toEqual([expect.objectContaining({ row: null, severity: 'warning', message: 'Not imported (unknown columns): Colour' })]);
  });

  it('fills what the file leaves out from the defaults, and reads every field the API has', () => {
    const defaults = { ...DEFAULTS, customerId: 1003, billingReference: 'PO-7', roamingEnabled: false, expiresAt: '2027-01-01T00:00:00.000Z' };
    const text = [
      'uid,label,customerId,validFrom,expiresAt,isActive,roamingEnabled,priorityChargingEnabled,billingReference,comment',
      '04A224B2,L1,,,,,,,,',
      '04A224B3,L2,1009,2026-01-31,31.12.2026,no,ja,0,Bil 246,hello',
      '04A224B4,L3,1009,2026-02-01T10:00:00+01:00,2026-12-31 23:59:59,TRUE,false,yes,,',
    ].join('\n');
    const plan = planImport(utf8(text), { defaults });
    expect(plan.rows.map((r) => r.values)).toEqual([
      { uid: '04A224B2', label: 'L1', customerId: 1003, validFrom: null, expiresAt: '2027-01-01T00:00:00.000Z', isActive: true, roamingEnabled: false, priorityChargingEnabled: true, billingReference: 'PO-7', comment: null },
      { uid: '04A224B3', label: 'L2', customerId: 1009, validFrom: '2026-01-31T00:00:00.000Z', expiresAt: '2026-12-31T00:00:00.000Z', isActive: false, roamingEnabled: true, priorityChargingEnabled: false, billingReference: 'Bil 246', comment: 'hello' },
      { uid: '04A224B4', label: 'L3', customerId: 1009, validFrom: '2026-02-01T09:00:00.000Z', expiresAt: '2026-12-31T23:59:59.000Z', isActive: true, roamingEnabled: false, priorityChargingEnabled: true, billingReference: 'PO-7', comment: null },
    ]);
  });

  it('reads UIDs in hex, reversed hex and decimal, and detects a decimal column', () => {
    const hex = planImport(utf8('uid\n04a224b2c35d80\n'), { defaults: DEFAULTS });
    expect(hex.rows[0]!.values.uid).toBe('04A224B2C35D80');
    expect(hex.format).toMatchObject({ uidFormat: 'hex', uidFormatDetected: true });

    const reversed = planImport(utf8('uid\n805DC3B224A204\nB224A204\n'), { defaults: DEFAULTS, uidFormat: 'reversed' });
    expect(reversed.rows.map((r) => r.values.uid)).toEqual(['04A224B2C35D80', '04A224B2']);

    // 0x04A224B2 = 77735090 (8 digits: could be hex, so it is read as decimal only because its neighbour cannot be)
    const decimal = planImport(utf8('uid\n0077735090\n1302134098624896\n'), { defaults: DEFAULTS });
    expect(decimal.format).toMatchObject({ uidFormat: 'decimal', uidFormatDetected: true });
    expect(decimal.rows.map((r) => r.values.uid)).toEqual(['04A224B2', (1302134098624896).toString(16).toUpperCase().padStart(14, '0')]);

    // 8H10D: the 4 bytes reversed, as a 10-digit number (0xB224A204 = 2988745220), the readers area's conversion.
    const wedge = planImport(utf8('uid\n2988745220\n'), { defaults: DEFAULTS, uidFormat: '8h10d' });
    expect(wedge.rows[0]!.values.uid).toBe('04A224B2');

    // A random ID (4 bytes starting 08) is refused in a file as it is at the reader.
    const random = planImport(utf8('uid\n08A224B2\n'), { defaults: DEFAULTS });
    expect(random.rows[0]!.status).toBe('invalid');
    expect(random.problems[0]!.message).toMatch(/random ID/);

    const rounded = planImport(utf8('uid\n1.30213E+15\n'), { defaults: DEFAULTS, uidFormat: 'decimal' });
    expect(rounded.problems[0]!.message).toMatch(/spreadsheet rounded/);
  });

  it('reports every problem with its row and column, and queues none of those rows', () => {
    const text = [
      'uid;label;customerId;validFrom;expiresAt;isActive;comment',
      '04A224B2;ok;1001;;;;',
      '04A224;short;1001;;;;',
      '04A224B3;;abc;;;maybe;',
      '04A224B4;;1001;2026-05-01;2026-04-01;;',
      `04A224B5;${'x'.repeat(101)};1001;;;;`,
      '04A224B6;;1001;tomorrow;;;',
    ].join('\n');
    const plan = planImport(utf8(text), { defaults: DEFAULTS });
    expect(plan.rows.map((r) => r.status)).toEqual(['ready', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
    expect(plan.problems.map((p) => [p.row, p.column])).toEqual([
      [3, 'uid'],
      [4, 'customerId'],
      [4, 'isActive'],
      [5, 'expiresAt'],
      [6, 'label'],
      [7, 'validFrom'],
    ]);
    expect(plan.problems[0]!.message).toMatch(/3 bytes long/);
  });

  it('needs a customer for every row: from the file or the defaults', () => {
    const plan = planImport(utf8('uid\n04A224B2\n'), { defaults: { ...DEFAULTS, customerId: null } });
    expect(plan.rows[0]!.status).toBe('invalid');
    expect(plan.problems[0]).toMatchObject({ row: 2, column: 'customerId', message: expect.stringMatching(/No customer/) });
  });

  it('shows repeated cards in the file: an identical repeat is queued once, a conflicting one not at all', () => {
    const text = 'uid,label\n04A224B2,A\n04A224B2,A\n04A224B3,B\n04A224B3,C\n';
    const plan = planImport(utf8(text), { defaults: DEFAULTS });
    expect(plan.rows.map((r) => [r.row, r.status, r.duplicate])).toEqual([
      [2, 'ready', null],
      [3, 'duplicate', 'file'],
      [4, 'duplicate', 'file'],
      [5, 'duplicate', 'file'],
    ]);
    expect(plan.rows[1]!.message).toMatch(/repeats row 2/);
    expect(plan.rows[3]!.message).toMatch(/also in row 4 with different data/);
  });

  it('refuses a file without a UID column, or with two columns for one field', () => {
    expect(() => planImport(utf8('label,customer\nA,1\n'), { defaults: DEFAULTS })).toThrow(FileRefused);
    expect(() => planImport(utf8('label,customer\nA,1\n'), { defaults: DEFAULTS })).toThrow(/No UID column.*label, customer/);
    expect(() => planImport(utf8('uid,card\n04A224B2,04A224B3\n'), { defaults: DEFAULTS })).toThrow(/"uid" and "card" both give the uid/);
    expect(() => planImport(utf8('uid\n'), { defaults: DEFAULTS })).toThrow(/no cards/);
  });

  it('reads dates as ISO-8601 UTC, day first when written with dots or dashes', () => {
    expect(parseDateTime('2026-12-31')).toBe('2026-12-31T00:00:00.000Z');
    expect(parseDateTime('2026-12-31T23:59:59.999Z')).toBe('2026-12-31T23:59:59.999Z');
    expect(parseDateTime('31-12-2026')).toBe('2026-12-31T00:00:00.000Z');
    expect(parseDateTime('2026-02-30')).toBeUndefined();
    expect(parseDateTime('12/31/2026')).toBeUndefined();
  });
});
