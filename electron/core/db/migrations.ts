/**
 * Schema migrations, numbered from 1 and tracked in SQLite's `user_version`. A migration is never
 * edited once released: change the schema by appending one. Each has its own test (test/db).
 */
import type { Db } from './sqlite';

export interface Migration {
  version: number;
  name: string;
  up: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'token queue',
    up: (db) =>
      db.exec(`
        CREATE TABLE tokens (
          id INTEGER PRIMARY KEY,
          -- One local row per card: the UNIQUE constraint is what stops a card being queued twice.
          uid TEXT NOT NULL UNIQUE CHECK (uid NOT GLOB '*[^0-9A-F]*' AND length(uid) IN (8, 14, 20)),
          customer_id INTEGER NOT NULL CHECK (customer_id >= 1),
          label TEXT,
          valid_from TEXT,
          expires_at TEXT,
          is_active INTEGER NOT NULL DEFAULT 1,
          roaming_enabled INTEGER NOT NULL DEFAULT 1,
          priority_charging_enabled INTEGER NOT NULL DEFAULT 1,
          billing_reference TEXT,
          comment TEXT,
          state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'synced', 'rejected', 'in_doubt')),
          attempt_id TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          spirii_id INTEGER,
          last_error TEXT,
          source TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          synced_at TEXT
        );
        CREATE INDEX tokens_by_state ON tokens (state, id);
      `),
  },
  {
    version: 2,
    name: 'settings',
    up: (db) =>
      db.exec(`
        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `),
  },
  // PLACEHOLDER for the sync issue's (#4) migration 3, so the numbers stay without gaps on this
  // branch: at merge, #4's migration replaces this entry.
  { version: 3, name: 'reserved (sync)', up: () => {} },
  {
    version: 4,
    name: 'audit trail',
    up: (db) =>
      db.exec(`
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          operator TEXT NOT NULL,
          action TEXT NOT NULL CHECK (action IN ('enroll', 'edit', 'discard', 'export', 'connection')),
          subject TEXT,
          details TEXT NOT NULL
        );
        CREATE INDEX audit_by_time ON audit (at, id);
        -- An audit trail is appended to, never rewritten.
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END;
      `),
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration above the database's version, each in its own transaction. */
export function migrate(db: Db, target = LATEST_VERSION): number {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new Error(
      `The database was written by a newer Token Station (schema ${current}, this version knows ${LATEST_VERSION}). Update the app.`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return schemaVersion(db);
}
