/** The one adapter to better-sqlite3: opening the database file with the pragmas durability needs. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrations';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** A native build other than the package's default (see ../native.ts). */
  nativeBinding?: string;
  /** Stop migrating at this version (tests of a single migration). */
  targetVersion?: number;
}

export const DATABASE_FILE = 'token-station.sqlite';

/**
 * Open (creating if needed) the app's database in `dataDir` and bring it to the latest schema.
 * WAL with synchronous=FULL: a committed transaction is on disk before the call returns, so a
 * token reported "queued" survives a power cut (https://www.sqlite.org/pragma.html#pragma_synchronous).
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(path.join(dataDir, DATABASE_FILE), options);
}

export function openDatabaseFile(file: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.targetVersion);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
