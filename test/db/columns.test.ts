import { describe, expect, it } from 'vitest';
import type { Db } from '../../electron/core/db/sqlite';
import { camelRow, jsonColumn } from '../../electron/core/db/columns';
import { scratchDatabase } from './support';

interface Row {
  id: number;
  spirii_id: number;
  last_error_detail: string | null;
  read_back_at: string | null;
}

function table(): Db {
  const db = scratchDatabase(`CREATE TABLE t (id INTEGER PRIMARY KEY, spirii_id INTEGER NOT NULL, last_error_detail TEXT, read_back_at TEXT)`);
  db.prepare('INSERT INTO t (spirii_id, last_error_detail, read_back_at) VALUES (?, ?, ?), (?, ?, ?)').run(10001, '{"key":"cancelled"}', 'then', 10002, null, null);
  return db;
}

describe("a table's row as the code's object", () => {
  it('copies every column under its camelCase name, in the table order, leaving out those the caller reads otherwise', () => {
    const rows = table().prepare('SELECT * FROM t ORDER BY id').all() as Row[];
    const read = camelRow<Row>()(['read_back_at']);
    expect(rows.map((row) => Object.entries(read(row)))).toEqual([
      [['id', 1], ['spiriiId', 10001], ['lastErrorDetail', '{"key":"cancelled"}']],
      [['id', 2], ['spiriiId', 10002], ['lastErrorDetail', null]],
    ]);
    expect(Object.keys(camelRow<Row>()()(rows[0]!))).toEqual(['id', 'spiriiId', 'lastErrorDetail', 'readBackAt']);
  });

  it("reads a JSON column's value, and null for an empty column or text that is not JSON", () => {
    expect(jsonColumn<{ key: string }>('{"key":"cancelled"}')).toEqual({ key: 'cancelled' });
    expect(jsonColumn(null)).toBeNull();
    expect(jsonColumn('')).toBeNull();
    expect(jsonColumn('{"key":')).toBeNull();
  });
});
