/**
 * The export's hand-written fast paths give exactly what the slow, general code gave: CSV records
 * as csv-stringify wrote them (quoted_string, CRLF, either delimiter), and dates as
 * Date.parse + toISOString read them, canonical or not, valid or rolled over or not a date at all.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { csvRecords } from '../../electron/core/io/writers';
import { canonicalIsoMs, dateMs, isoText } from '../../electron/core/io/iso';

const slowIso = (text: string) => {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : text;
};

describe('export fast paths', () => {
  it('CSV records are byte for byte what csv-stringify wrote', () => {
    const rows: (string | number | null)[][] = [
      ['', null, 0, -0, 1.5, 12345678901234, NaN, 1e21, -3],
      ['a"b', '""', 'x\r\ny', 'a;=1', 'say "hi", then; go', "'=1+2", '\t=1', 'æøå €', 'plain'],
      [null, null, null],
    ];
    for (const delimiter of [',', ';']) {
      expect(csvRecords(rows, delimiter)).toBe(stringify(rows, { delimiter, record_delimiter: 'windows', quoted_string: true }));
    }
  });

  it('dates: the canonical fast path agrees with Date.parse and toISOString everywhere', () => {
    const samples = [
      '2026-01-31T08:30:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z', // no such day: Date.parse rolls it over to 1 March
      '2026-02-30T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z', // the end of the day, which Date.parse accepts
      '2026-01-01T23:59:60.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-01T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '0050-06-15T12:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2026-01-31T08:30:00Z',
      '2026-01-31T08:30:00.000+01:00',
      '2026-01-31',
      '2026-1a-31T08:30:00.000Z',
      'not a date',
      '',
    ];
    // And many random instants, written canonically.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) samples.push(new Date(Math.floor((random() - 0.3) * 2 ** 42)).toISOString());
    for (const text of samples) {
      expect(isoText(text), text).toBe(slowIso(text));
      expect(dateMs(text), text).toBe(Date.parse(text));
      const fast = canonicalIsoMs(text);
      if (!Number.isNaN(fast)) expect(new Date(fast).toISOString(), text).toBe(text);
    }
    expect(canonicalIsoMs('2026-02-30T00:00:00.000Z')).toBeNaN();
    expect(canonicalIsoMs('2026-01-31T08:30:00.000Z')).toBe(Date.parse('2026-01-31T08:30:00.000Z'));
  });
});
