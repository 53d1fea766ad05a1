// Each migration has its own test: it applies to a database at the previous version, keeps the
// data already there, and leaves the schema the code expects.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openDatabaseFile, DATABASE_FILE } from '../../electron/core/db/sqlite';
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from '../../electron/core/db/migrations';
import { TokenQueue } from '../../electron/core/queue';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('1 creates the token queue with one row per UID', () => {
    const db = openDatabaseFile(path.join(dir, 'a.sqlite'), { targetVersion: 1 });
    expect(schemaVersion(db)).toBe(1);
    expect(columns(db, 'tokens')).toEqual(expect.arrayContaining(['uid', 'customer_id', 'label', 'state', 'attempt_id', 'spirii_id', 'last_error']));
    const insert = db.prepare(`INSERT INTO tokens (uid, customer_id, source, created_at, updated_at) VALUES (?, 1, 'test', 'now', 'now')`);
    insert.run('04A224B2C35D80');
    expect(() => insert.run('04A224B2C35D80')).toThrow(/UNIQUE/);
    expect(() => insert.run('04a224b2c35d81')).toThrow(/CHECK/); // lower case is not canonical
    expect(() => db.prepare(`UPDATE tokens SET state = 'lost'`).run()).toThrow(/CHECK/);
    db.close();
  });

  it('2 adds settings and keeps the queued tokens', () => {
    const file = path.join(dir, 'b.sqlite');
    const v1 = openDatabaseFile(file, { targetVersion: 1 });
    v1.prepare(`INSERT INTO tokens (uid, customer_id, label, source, created_at, updated_at) VALUES ('04A224B2', 7, 'L1', 'test', 'now', 'now')`).run();
    v1.close();

    const v2 = openDatabaseFile(file, { targetVersion: 2 });
    expect(schemaVersion(v2)).toBe(2);
    expect(columns(v2, 'settings')).toEqual(['key', 'value']);
    expect(v2.prepare('SELECT uid, customer_id, label, state FROM tokens').all()).toEqual([
      { uid: '04A224B2', customer_id: 7, label: 'L1', state: 'pending' },
    ]);
    v2.close();
  });

  it('3 rebuilds the queue with held/discarded states and the check, conflict and attempt columns, keeping every row', () => {
    const file = path.join(dir, 'd.sqlite');
    const v2 = openDatabaseFile(file, { targetVersion: 2 });
    const insert = v2.prepare(`INSERT INTO tokens (uid, customer_id, label, state, attempt_id, spirii_id, source, created_at, updated_at) VALUES (?, 7, ?, ?, ?, ?, 'test', 'c', 'u')`);
    insert.run('04A224B2', 'L1', 'synced', 'a1', 42);
    insert.run('04A224B3', 'L2', 'sending', 'a2', null);
    insert.run('04A224B4', null, 'pending', null, null);
    v2.close();

    const v3 = openDatabaseFile(file, { targetVersion: 3 });
    expect(schemaVersion(v3)).toBe(3);
    expect(columns(v3, 'tokens')).toEqual(expect.arrayContaining(['hold_until', 'spirii_checked_at', 'conflict', 'attempted_at']));
    expect(v3.prepare('SELECT uid, label, state, attempt_id, attempted_at, spirii_id, spirii_checked_at FROM tokens ORDER BY id').all()).toEqual([
      { uid: '04A224B2', label: 'L1', state: 'synced', attempt_id: 'a1', attempted_at: 'u', spirii_id: 42, spirii_checked_at: null },
      { uid: '04A224B3', label: 'L2', state: 'sending', attempt_id: 'a2', attempted_at: 'u', spirii_id: null, spirii_checked_at: null },
      { uid: '04A224B4', label: null, state: 'pending', attempt_id: null, attempted_at: null, spirii_id: null, spirii_checked_at: null },
    ]);
    // One live row per UID; a discarded one does not count.
    const add = v3.prepare(`INSERT INTO tokens (uid, customer_id, state, source, created_at, updated_at) VALUES (?, 1, ?, 'test', 'n', 'n')`);
    expect(() => add.run('04A224B4', 'held')).toThrow(/UNIQUE/);
    v3.prepare(`UPDATE tokens SET state = 'discarded' WHERE uid = '04A224B4'`).run();
    expect(() => add.run('04A224B4', 'held')).not.toThrow();
    expect(() => v3.prepare(`UPDATE tokens SET state = 'lost'`).run()).toThrow(/CHECK/);
    expect(columns(v3, 'sync_lease')).toEqual(['id', 'holder', 'pid', 'expires_at']);
    v3.close();
  });

  it('4 adds the audit trail, which refuses to be rewritten, keeping every token', () => {
    const file = path.join(dir, 'g.sqlite');
    const v3 = openDatabaseFile(file, { targetVersion: 3 });
    v3.prepare(`INSERT INTO tokens (uid, customer_id, label, state, source, created_at, updated_at) VALUES ('04A224B2', 7, 'L1', 'held', 'test', 'c', 'u')`).run();
    v3.close();

    const v4 = openDatabaseFile(file, { targetVersion: 4 });
    expect(schemaVersion(v4)).toBe(4);
    expect(columns(v4, 'audit')).toEqual(['id', 'at', 'operator', 'action', 'subject', 'details']);
    const add = v4.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t', 'op', ?, '04A224B2', '{}')`);
    add.run('enroll');
    expect(() => add.run('delete')).toThrow(/CHECK/);
    expect(() => v4.prepare(`UPDATE audit SET operator = 'someone else'`).run()).toThrow(/cannot be changed/);
    expect(v4.prepare('SELECT uid, label, state FROM tokens').all()).toEqual([{ uid: '04A224B2', label: 'L1', state: 'held' }]);
    v4.close();
  });

  it('5 adds the last error detail for the window, keeping every token and its English error', () => {
    const file = path.join(dir, 'h.sqlite');
    const v4 = openDatabaseFile(file, { targetVersion: 4 });
    const insert = v4.prepare(`INSERT INTO tokens (uid, customer_id, label, state, last_error, source, created_at, updated_at) VALUES (?, 7, ?, ?, ?, 'test', 'c', 'u')`);
    insert.run('04A224B2', 'L1', 'rejected', 'Spirii refused it: customer 7 does not exist');
    insert.run('04A224B3', null, 'pending', null);
    v4.close();

    const v5 = openDatabaseFile(file, { targetVersion: 5 });
    expect(schemaVersion(v5)).toBe(5);
    expect(columns(v5, 'tokens')).toContain('last_error_detail');
    expect(v5.prepare('SELECT uid, label, state, last_error, last_error_detail FROM tokens ORDER BY id').all()).toEqual([
      { uid: '04A224B2', label: 'L1', state: 'rejected', last_error: 'Spirii refused it: customer 7 does not exist', last_error_detail: null },
      { uid: '04A224B3', label: null, state: 'pending', last_error: null, last_error_detail: null },
    ]);
    v5.close();

    // Migrated on to the latest version, the queue reads the old rows: a row from before the
    // detail was kept keeps its English error, with no detail for the window to word.
    const latest = openDatabaseFile(file);
    const queue = new TokenQueue(latest);
    expect(queue.findByUid('04A224B2')).toMatchObject({ state: 'rejected', lastError: 'Spirii refused it: customer 7 does not exist', lastErrorDetail: null });
    expect(queue.findByUid('04A224B3')).toMatchObject({ state: 'pending', lastError: null, lastErrorDetail: null });
    latest.close();
  });

  it('6 adds sync verification: a token synced before it is taken as verified, any other is not', () => {
    const file = path.join(dir, 'i.sqlite');
    const v5 = openDatabaseFile(file, { targetVersion: 5 });
    const insert = v5.prepare(`INSERT INTO tokens (uid, customer_id, state, synced_at, source, created_at, updated_at) VALUES (?, 7, ?, ?, 'test', 'c', ?)`);
    insert.run('04A224B2', 'synced', 's', 'u');
    insert.run('04A224B3', 'synced', null, 'u2'); // synced by a version that did not keep synced_at
    insert.run('04A224B4', 'in_doubt', null, 'u3');
    v5.close();

    const v6 = openDatabaseFile(file, { targetVersion: 6 });
    expect(schemaVersion(v6)).toBe(6);
    expect(columns(v6, 'tokens')).toEqual(expect.arrayContaining(['verified_at', 'lookup_asked_at']));
    expect(v6.prepare('SELECT uid, state, verified_at, lookup_asked_at FROM tokens ORDER BY id').all()).toEqual([
      { uid: '04A224B2', state: 'synced', verified_at: 's', lookup_asked_at: null },
      { uid: '04A224B3', state: 'synced', verified_at: 'u2', lookup_asked_at: null },
      { uid: '04A224B4', state: 'in_doubt', verified_at: null, lookup_asked_at: null },
    ]);
    v6.close();
  });

  it('7 adds what the desk last saw of Spirii, and indexes for looking a card up by label and its audit entries, keeping every row', () => {
    const file = path.join(dir, 'f.sqlite');
    const v6 = openDatabaseFile(file, { targetVersion: 6 });
    v6.prepare(`INSERT INTO tokens (uid, customer_id, label, state, source, created_at, updated_at) VALUES ('04A224B2', 7, 'L1', 'synced', 'test', 'c', 'u')`).run();
    v6.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t', 'op', 'enroll', '04A224B2', '{}')`).run();
    v6.close();

    const v7 = openDatabaseFile(file, { targetVersion: 7 });
    expect(schemaVersion(v7)).toBe(7);
    expect(columns(v7, 'spirii_seen')).toEqual(['api', 'uid', 'label', 'spirii_id', 'token', 'seen_at']);
    const seen = v7.prepare(`INSERT INTO spirii_seen (api, uid, label, spirii_id, token, seen_at) VALUES (?, ?, 'L1', 1, NULL, 'now')`);
    seen.run('https://api.spirii.com', '04A224B2');
    expect(() => seen.run('https://api.spirii.com', '04A224B2')).toThrow(/UNIQUE/);
    seen.run('http://127.0.0.1:1', '04A224B2'); // one sighting per API
    expect(() => seen.run('https://api.spirii.com', '04a224b3')).toThrow(/CHECK/);
    const plan = (sql: string) => (v7.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' ');
    expect(plan(`SELECT * FROM tokens WHERE label = 'l1' COLLATE NOCASE`)).toMatch(/tokens_by_label/);
    expect(plan(`SELECT * FROM audit WHERE subject = '04A224B2' ORDER BY id DESC`)).toMatch(/audit_by_subject/);
    expect(v7.prepare('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 1 });
    expect(v7.prepare('SELECT subject FROM audit').all()).toEqual([{ subject: '04A224B2' }]);
    v7.close();
  });

  it('8 adds token changes and their batches, and a change action in the audit trail, keeping every entry and its guard', () => {
    const file = path.join(dir, 'g.sqlite');
    const v7 = openDatabaseFile(file, { targetVersion: 7 });
    v7.prepare(`INSERT INTO tokens (uid, customer_id, label, state, spirii_id, source, created_at, updated_at) VALUES ('04A224B2', 7, 'L1', 'synced', 10001, 'test', 'c', 'u')`).run();
    v7.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t1', 'op', 'enroll', '04A224B2', '{}')`).run();
    v7.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t2', 'op', 'export', 'f.csv', '{"rows":1}')`).run();
    expect(() => v7.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t', 'op', 'change', NULL, '{}')`).run()).toThrow(/CHECK/);
    v7.close();

    const v8 = openDatabaseFile(file, { targetVersion: 8 });
    expect(schemaVersion(v8)).toBe(8);
    expect(v8.prepare('SELECT id, at, action, subject, details FROM audit ORDER BY id').all()).toEqual([
      { id: 1, at: 't1', action: 'enroll', subject: '04A224B2', details: '{}' },
      { id: 2, at: 't2', action: 'export', subject: 'f.csv', details: '{"rows":1}' },
    ]);
    v8.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t3', 'op', 'change', '04A224B2', '{}')`).run();
    expect(() => v8.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t', 'op', 'lost', NULL, '{}')`).run()).toThrow(/CHECK/);
    expect(() => v8.prepare(`UPDATE audit SET operator = 'someone else'`).run()).toThrow(/cannot be changed/);
    const plan = (sql: string) => (v8.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' ');
    expect(plan(`SELECT * FROM audit WHERE subject = '04A224B2' ORDER BY id DESC`)).toMatch(/audit_by_subject/);

    expect(columns(v8, 'change_batches')).toEqual(['id', 'source', 'operator', 'fields', 'paused', 'created_at', 'cancelled_at']);
    expect(columns(v8, 'token_changes')).toEqual(expect.arrayContaining(['batch_id', 'spirii_id', 'fields', 'based_on', 'base_token', 'state', 'remote_token', 'attempt_id', 'attempted_at', 'result_updated_at']));
    v8.prepare(`INSERT INTO change_batches (source, operator, fields, created_at) VALUES ('cli', 'op', '{}', 'n')`).run();
    const change = v8.prepare(`INSERT INTO token_changes (batch_id, spirii_id, fields, state, created_at, updated_at) VALUES (1, ?, '{"isActive":false}', ?, 'n', 'n')`);
    change.run(10001, 'pending');
    expect(() => change.run(10001, 'lost')).toThrow(/CHECK/);
    expect(() => change.run(0, 'pending')).toThrow(/CHECK/);
    expect(plan(`SELECT * FROM token_changes WHERE spirii_id = 10001 ORDER BY id`)).toMatch(/token_changes_by_token/);
    expect(v8.prepare('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 1 });
    v8.close();
  });

  it('9 adds card replacements: one open job per old card, each naming its new token and (later) its deactivation', () => {
    const file = path.join(dir, 'h.sqlite');
    const v8 = openDatabaseFile(file, { targetVersion: 8 });
    v8.prepare(`INSERT INTO tokens (uid, customer_id, label, state, spirii_id, source, created_at, updated_at) VALUES ('04A224B2', 7, 'L1', 'synced', 10001, 'test', 'c', 'u')`).run();
    v8.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t1', 'op', 'enroll', '04A224B2', '{}')`).run();
    v8.close();

    const v9 = openDatabaseFile(file, { targetVersion: 9 });
    expect(schemaVersion(v9)).toBe(9);
    expect(v9.prepare('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 1 });
    expect(v9.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 1 });
    expect(columns(v9, 'replacements')).toEqual(expect.arrayContaining(['state', 'old_uid', 'old_spirii_id', 'old_token', 'expected_updated_at', 'new_uid', 'new_token_id', 'change_id', 'deactivation_comment', 'source', 'operator']));
    const job = v9.prepare(
      `INSERT INTO replacements (state, old_uid, old_spirii_id, customer_id, old_token, expected_updated_at, new_uid, new_token_id, deactivation_comment, source, operator, created_at, updated_at)
       VALUES (?, 'AABBCCDD', 9, 7, '{}', 'u', '04A224B2', 1, 'Replaced by card 04A224B2', 'cli', 'op', 'n', 'n')`,
    );
    job.run('creating');
    expect(() => job.run('creating')).toThrow(/UNIQUE/); // a second open job for the same old card
    expect(() => job.run('lost')).toThrow(/CHECK/);
    v9.prepare(`UPDATE replacements SET state = 'done'`).run();
    job.run('creating'); // once the first is done, the card may be replaced again
    v9.prepare(`INSERT INTO audit (at, operator, action, subject, details) VALUES ('t2', 'op', 'replace', 'AABBCCDD', '{}')`).run();
    v9.close();
  });

  it('opens in WAL mode with synchronous=FULL, at the latest version', () => {
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.name).toBe(path.join(dir, DATABASE_FILE));
    expect(migrate(db)).toBe(LATEST_VERSION); // running again changes nothing
    db.close();
  });

  it('refuses a database written by a newer version instead of damaging it', () => {
    const file = path.join(dir, 'c.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expect(() => openDatabaseFile(file)).toThrow(/newer Token Station/);
  });
});
