// The one WHERE builder of the listings (the queue's list and export pages, `changes --search`),
// against a real SQLite table whose UID may be empty, as a change's is.
import { describe, expect, it } from 'vitest';
import { Where } from '../../electron/core/db/where';
import { scratchDatabase } from './support';

/** The ids of the rows a WHERE selects, in a table of four: one with no UID, one with no label. */
function listing(): (where: Where) => number[] {
  const db = scratchDatabase(`CREATE TABLE t (id INTEGER PRIMARY KEY, uid TEXT, label TEXT, state TEXT NOT NULL, customer_id INTEGER)`);
  const insert = db.prepare('INSERT INTO t (uid, label, state, customer_id) VALUES (?, ?, ?, ?)');
  insert.run('04A224B2', 'DK.SPI.V03198', 'pending', 1001);
  insert.run('04B00001', 'Fjh 7', 'synced', 1002);
  insert.run(null, '100%_card', 'pending', 1001);
  insert.run('04C00002', null, 'rejected', 1001);
  return (where) => (db.prepare(`SELECT id FROM t WHERE ${where.sql} ORDER BY id`).all(where.params) as { id: number }[]).map((r) => r.id);
}

describe('the WHERE of a listing', () => {
  it('finds part of a UID or a label in any case, a row without either included, and % or _ as themselves', () => {
    const ids = listing();
    expect(ids(new Where().uidOrLabel('a224'))).toEqual([1]);
    expect(ids(new Where().uidOrLabel('spi.v03'))).toEqual([1]);
    expect(ids(new Where().uidOrLabel('FJH'))).toEqual([2]);
    expect(ids(new Where().uidOrLabel('%_'))).toEqual([3]);
    expect(ids(new Where().uidOrLabel('_'))).toEqual([3]);
    expect(ids(new Where().uidOrLabel('04c'))).toEqual([4]);
  });

  it('binds states and an equal value as parameters, and takes every row when the filter is empty', () => {
    const ids = listing();
    expect(ids(new Where())).toEqual([1, 2, 3, 4]);
    expect(ids(new Where().oneOf('state', []).equals('customer_id', undefined).uidOrLabel(''))).toEqual([1, 2, 3, 4]);
    expect(ids(new Where().oneOf('state', ['pending', 'rejected']))).toEqual([1, 3, 4]);
    expect(ids(new Where().oneOf('state', ['pending']).equals('customer_id', 1001).uidOrLabel('card'))).toEqual([3]);
    expect(ids(new Where().oneOf('state', ["pending') OR (1=1"]))).toEqual([]);
  });
});
