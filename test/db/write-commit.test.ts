/**
 * A write whose commit fails must throw, whatever method reads it. Without a full disk (see
 * ../core/full-disk.test.ts for that), a deferred foreign key fails the same way: at the commit
 * that SQLite makes when an autocommit statement finishes, which `.get()` alone never reaches.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
let db: Db;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
           CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
});
afterEach(() => {
  db.close();
  cleanup();
});

const children = () => db.prepare('SELECT count(*) FROM child').pluck().get();

it('INSERT ... RETURNING read with .get() throws when its commit fails, and stores nothing', () => {
  expect(() => db.prepare('INSERT INTO child (parent) VALUES (42) RETURNING *').get()).toThrow(/FOREIGN KEY constraint failed/);
  expect(children()).toBe(0);
});

it('UPDATE ... RETURNING read with .get() throws when its commit fails, and changes nothing', () => {
  db.exec('INSERT INTO parent (id) VALUES (1); INSERT INTO child (id, parent) VALUES (1, 1)');
  expect(() => db.prepare('UPDATE child SET parent = 7 WHERE id = 1 RETURNING *').get()).toThrow(/FOREIGN KEY constraint failed/);
  expect(db.prepare('SELECT parent FROM child WHERE id = 1').pluck().get()).toBe(1);
});

it('a write that commits still returns its row through .get(), and reads are untouched', () => {
  db.exec('INSERT INTO parent (id) VALUES (1)');
  expect(db.prepare('INSERT INTO child (parent) VALUES (1) RETURNING id, parent').get()).toEqual({ id: 1, parent: 1 });
  expect(db.prepare('INSERT INTO child (parent) VALUES (1) RETURNING parent').pluck().get()).toBe(1);
  expect(db.prepare('SELECT id FROM child ORDER BY id').pluck().get()).toBe(1);
  expect(children()).toBe(2);
});
