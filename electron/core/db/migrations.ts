/**
 * Schema migrations, numbered from 1 and tracked in SQLite's `user_version`. A migration is never
 * edited once released: change the schema by appending one. Each has its own test (test/db).
 */
/**
 * What migrating needs of a connection. Declared here rather than taken from the adapter
 * (./sqlite.ts), which runs the migrations when it opens a file: the two would import each other.
 */
export interface MigrationDb {
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction(fn: () => void): () => void;
}
type Db = MigrationDb;

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
  {
    version: 3,
    name: 'sync state machine: hold, pre-send check, conflicts, discard, sync lease',
    // SQLite cannot change a CHECK constraint in place: the table is rebuilt with the new states.
    up: (db) =>
      db.exec(`
        CREATE TABLE tokens_v3 (
          id INTEGER PRIMARY KEY,
          uid TEXT NOT NULL CHECK (uid NOT GLOB '*[^0-9A-F]*' AND length(uid) IN (8, 14, 20)),
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
            CHECK (state IN ('held', 'pending', 'sending', 'synced', 'rejected', 'in_doubt', 'discarded')),
          -- 'held' rows wait until this time (or a release) before they may be sent.
          hold_until TEXT,
          -- When the pre-send check found the UID absent from Spirii; NULL: not checked, never sent.
          spirii_checked_at TEXT,
          -- JSON {id, customerId, label}: where Spirii already has this UID (the row is never sent).
          conflict TEXT,
          attempt_id TEXT,
          -- When the last request carrying this row went out (in-doubt lookups wait a grace after it).
          attempted_at TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          spirii_id INTEGER,
          last_error TEXT,
          source TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          synced_at TEXT
        );
        INSERT INTO tokens_v3 (id, uid, customer_id, label, valid_from, expires_at, is_active, roaming_enabled,
          priority_charging_enabled, billing_reference, comment, state, attempt_id, attempted_at, attempts, spirii_id,
          last_error, source, created_at, updated_at, synced_at)
        SELECT id, uid, customer_id, label, valid_from, expires_at, is_active, roaming_enabled,
          priority_charging_enabled, billing_reference, comment, state, attempt_id,
          CASE WHEN attempt_id IS NULL THEN NULL ELSE updated_at END, attempts, spirii_id,
          last_error, source, created_at, updated_at, synced_at
        FROM tokens;
        DROP TABLE tokens;
        ALTER TABLE tokens_v3 RENAME TO tokens;
        -- One live row per card; a discarded row stays as history and does not block a new tap.
        CREATE UNIQUE INDEX tokens_live_uid ON tokens (uid) WHERE state <> 'discarded';
        CREATE INDEX tokens_by_state ON tokens (state, id);
        CREATE INDEX tokens_by_uid ON tokens (uid);

        -- Only one process (the app or a CLI) sends a data folder's queue at a time.
        CREATE TABLE sync_lease (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          holder TEXT NOT NULL,
          pid INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
      `),
  },
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
  {
    version: 5,
    // The window words a token's last error in its own language from this (JSON), never by
    // parsing the English in last_error, which stays as it was.
    name: 'last error detail',
    up: (db) => db.exec(`ALTER TABLE tokens ADD COLUMN last_error_detail TEXT;`),
  },
  {
    version: 6,
    // verified_at: when a synced token was last looked up and found once in Spirii, at a time no
    // second copy (another desk's) could still be committed; NULL: not yet. Tokens synced before
    // this existed are taken as they are. lookup_asked_at: the desk asked for a token in doubt to
    // be looked up now (`queue retry`), from whichever process.
    name: 'sync verification',
    up: (db) =>
      db.exec(`
        ALTER TABLE tokens ADD COLUMN verified_at TEXT;
        ALTER TABLE tokens ADD COLUMN lookup_asked_at TEXT;
        UPDATE tokens SET verified_at = coalesce(synced_at, updated_at) WHERE state = 'synced';
      `),
  },
  {
    version: 7,
    // Identifying a card offline shows what this desk last saw in Spirii, and how old that is.
    name: 'spirii tokens last seen; card lookups by label and by subject',
    up: (db) =>
      db.exec(`
        CREATE TABLE spirii_seen (
          -- The API it was seen in: what a sandbox holds says nothing about production.
          api TEXT NOT NULL,
          uid TEXT NOT NULL CHECK (uid NOT GLOB '*[^0-9A-F]*' AND length(uid) IN (8, 14, 20)),
          label TEXT,
          spirii_id INTEGER,
          -- The token as Spirii returned it (JSON); NULL: Spirii had no token with this UID then.
          token TEXT,
          seen_at TEXT NOT NULL,
          PRIMARY KEY (api, uid)
        );
        CREATE INDEX spirii_seen_by_label ON spirii_seen (api, label COLLATE NOCASE);
        -- A card is identified by its label as well as its UID, and shown with its audit entries.
        CREATE INDEX tokens_by_label ON tokens (label COLLATE NOCASE);
        CREATE INDEX audit_by_subject ON audit (subject, id);
      `),
  },
  {
    version: 8,
    // Changes to tokens that exist in Spirii (PATCH /v2/tokens/{id}), queued like creations: written
    // here first, sent by the sync worker, one table for the changes and one for the batches they
    // were made in (a CLI run, a bulk action in the window). The audit trail learns a 'change'
    // action (and 'replace', for the card replacement that builds on this); SQLite cannot change a
    // CHECK in place, so the trail is copied into a new table, entries and ids unchanged.
    name: 'token changes queued like creations; change batches; change in the audit trail',
    up: (db) =>
      db.exec(`
        CREATE TABLE change_batches (
          id INTEGER PRIMARY KEY,
          -- Where it was made: 'cli', 'cli:<file>', 'window'.
          source TEXT NOT NULL,
          operator TEXT NOT NULL,
          -- JSON: the fields the batch sets on every token (as the desk asked, for display).
          fields TEXT NOT NULL,
          -- A paused batch's changes are not sent (those already sent settle as usual).
          paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
          created_at TEXT NOT NULL,
          cancelled_at TEXT
        );
        CREATE TABLE token_changes (
          -- The order of changes: those to one token are sent by ascending id, each after the one before.
          id INTEGER PRIMARY KEY,
          batch_id INTEGER NOT NULL REFERENCES change_batches (id),
          spirii_id INTEGER NOT NULL CHECK (spirii_id >= 1),
          uid TEXT,
          label TEXT,
          -- JSON: the PATCH body.
          fields TEXT NOT NULL,
          -- Spirii's updatedAt of the token the desk based the change on; NULL: the desk had not read
          -- it (the read right before sending is then the base).
          based_on TEXT,
          -- JSON: the token as the desk read it (NULL when it had not), for showing a conflict.
          base_token TEXT,
          state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'synced', 'rejected', 'in_doubt', 'conflict', 'discarded')),
          -- JSON: the token as Spirii had it when it was found changed since the desk read it.
          remote_token TEXT,
          attempt_id TEXT,
          attempted_at TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          last_error_detail TEXT,
          -- Spirii's updatedAt once the change is in Spirii.
          result_updated_at TEXT,
          -- When a change in doubt was last read back and found not (yet) in Spirii: it is read
          -- again once Spirii can no longer commit the request (the in-doubt bound).
          read_back_at TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          synced_at TEXT
        );
        CREATE INDEX token_changes_by_state ON token_changes (state, id);
        CREATE INDEX token_changes_by_token ON token_changes (spirii_id, id);
        CREATE INDEX token_changes_by_batch ON token_changes (batch_id, state);
        CREATE INDEX token_changes_by_uid ON token_changes (uid);

        CREATE TABLE audit_v8 (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          operator TEXT NOT NULL,
          action TEXT NOT NULL CHECK (action IN ('enroll', 'edit', 'discard', 'export', 'connection', 'change', 'replace')),
          subject TEXT,
          details TEXT NOT NULL
        );
        INSERT INTO audit_v8 (id, at, operator, action, subject, details) SELECT id, at, operator, action, subject, details FROM audit;
        DROP TABLE audit;
        ALTER TABLE audit_v8 RENAME TO audit;
        CREATE INDEX audit_by_time ON audit (at, id);
        CREATE INDEX audit_by_subject ON audit (subject, id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END;
      `),
  },
  {
    version: 9,
    // Replacing a lost card is one job: the new card's token (an ordinary queued creation) and the
    // old token's deactivation (a queued change), queued only once the new one is in Spirii. The
    // job's row is written in the same transaction as the new token, and its move to deactivating
    // in the same transaction as the change, so a crash leaves both or neither.
    // The audit trail's 'replace' action came with migration 8.
    name: 'card replacements',
    up: (db) =>
      db.exec(`
        CREATE TABLE replacements (
          id INTEGER PRIMARY KEY,
          state TEXT NOT NULL CHECK (state IN ('creating', 'rejected', 'deactivating', 'conflict', 'done', 'failed')),
          old_uid TEXT NOT NULL,
          old_spirii_id INTEGER NOT NULL,
          old_label TEXT,
          customer_id INTEGER NOT NULL,
          -- The old token as the desk read it (JSON): what the new one copies, and whose updatedAt
          -- the deactivation expects (a newer change in Spirii is never overwritten unasked).
          old_token TEXT NOT NULL,
          expected_updated_at TEXT NOT NULL,
          new_uid TEXT NOT NULL,
          new_label TEXT,
          new_token_id INTEGER NOT NULL REFERENCES tokens (id),
          new_spirii_id INTEGER,
          -- What the old token's comment becomes: how a read-back recognises the desk's own deactivation.
          deactivation_comment TEXT NOT NULL,
          -- The queued change that deactivates the old token, queued once the new one is in Spirii.
          change_id INTEGER REFERENCES token_changes (id),
          -- Where it was asked for: 'cli', 'window'.
          source TEXT NOT NULL,
          -- The old token as Spirii holds it now, when that differs from what the desk read (JSON).
          spirii_now TEXT,
          message TEXT,
          operator TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        -- One open job per old card: a second replacement of the same card is refused.
        CREATE UNIQUE INDEX replacements_open_old ON replacements (old_uid) WHERE state IN ('creating', 'rejected', 'deactivating', 'conflict');
        CREATE INDEX replacements_by_new_token ON replacements (new_token_id);
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
