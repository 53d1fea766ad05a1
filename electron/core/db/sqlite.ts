/** The one adapter to better-sqlite3: opening the database file with the pragmas durability needs. */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrations';
import { protectDataFolder, removeStaleExportParts } from '../io/targets';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** A native build other than the package's default (see ../native.ts). */
  nativeBinding?: string;
  /** Stop migrating at this version (tests of a single migration). */
  targetVersion?: number;
}

export const DATABASE_FILE = 'token-station.sqlite';

/**
 * How long a write waits for another process's write to end before failing "database is
 * locked". An import queues its rows in one transaction: 200,000 rows held the lock for 20 s on a
 * busy 2-core machine, so a card added meanwhile (CLI or window) waits rather than fails.
 */
export const BUSY_TIMEOUT_MS = 60_000;

/** The database and the files SQLite keeps next to it. */
export const DATABASE_FILES = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-journal`] as const;

/** SQLite's codes for "the data folder cannot take this write" (a full disk, a failing or read-only one). */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY|CORRUPT|NOTADB)/;

/**
 * A write the database did not take: nothing of it is stored. Its message is one line for the
 * desk ("... not saved: the disk holding the data folder is full"), naming the file.
 */
export class StorageError extends Error {
  constructor(
    message: string,
    /** SQLite's code, e.g. SQLITE_FULL. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** SQLite's own error for a write the disk refused, or null for any other error. */
export function storageCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && STORAGE_CODES.test(code) ? code : null;
}

/** Why the data folder refused a write, in words: "the disk holding ... is full". */
export function describeStorageProblem(error: unknown, file: string): string {
  const code = storageCode(error) ?? 'unknown';
  if (code.startsWith('SQLITE_FULL')) return `the disk holding ${file} is full (${code})`;
  if (code.startsWith('SQLITE_READONLY')) return `${file} is read-only (${code})`;
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return `${file} is damaged (${code})`;
  return `${file} cannot be written: the disk may be full or failing (${code})`;
}

/**
 * Every statement that writes and returns rows (`INSERT ... RETURNING`, `UPDATE ... RETURNING`)
 * is stepped to its end, also when read with `.get()`. In autocommit mode SQLite commits when
 * the statement finishes; `.get()` stops after the first row and better-sqlite3 12 then drops the
 * commit's error (a full disk), so a row reported as written could be gone. `.all()` and `.run()`
 * step to the end and throw. This makes the one way to write through this adapter the safe one,
 * whichever method the caller uses.
 */
function stepWritesToTheEnd(db: Db): void {
  const prepare = db.prepare.bind(db) as (...args: unknown[]) => Database.Statement;
  db.prepare = ((...args: unknown[]) => {
    const stmt = prepare(...args);
    if (stmt.reader && !stmt.readonly) {
      const all = stmt.all.bind(stmt) as (...params: unknown[]) => unknown[];
      Object.defineProperty(stmt, 'get', { value: (...params: unknown[]) => all(...params)[0], configurable: true });
    }
    return stmt;
  }) as Db['prepare'];
}

/** The database files may hold customer data and Spirii's answers: only this user may read them. */
function restrictFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.chmodSync(`${file}${suffix}`, 0o600);
    } catch {
      // Not there (yet): SQLite creates -wal/-shm under the umask set around the open.
    }
  }
}

/**
 * Open (creating if needed) the app's database in `dataDir` and bring it to the latest schema.
 * WAL with synchronous=FULL: a committed transaction is on disk before the call returns, so a
 * token reported "queued" survives a power cut (https://www.sqlite.org/pragma.html#pragma_synchronous).
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabaseFile(path.join(dataDir, DATABASE_FILE), options);
  // Every process starts by opening its data folder: the moment to clear what killed exports left.
  try {
    removeStaleExportParts(dataDir);
  } catch {
    // A clean-up, never a reason not to start.
  }
  return db;
}

export function openDatabaseFile(file: string, options: OpenDatabaseOptions = {}): Db {
  // Files SQLite creates now (the database, -wal, -shm) are 0600 from the start; chmod below for older ones.
  const umask = process.umask(0o077);
  let db: Db;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (error) {
    process.umask(umask);
    throw storageCode(error) ? new StorageError(`Cannot open the database: ${describeStorageProblem(error, file)}`, storageCode(error)!) : error;
  }
  try {
    stepWritesToTheEnd(db);
    // Waits for another process's write (an import's transaction) instead of failing "database is locked".
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Deleted text (an error message, an edited comment) is overwritten, not left in free pages.
    db.pragma('secure_delete = ON');
    migrate(db, options.targetVersion);
    restrictFiles(file);
  } catch (error) {
    db.close();
    throw storageCode(error) ? new StorageError(`Cannot open the database: ${describeStorageProblem(error, file)}`, storageCode(error)!) : error;
  } finally {
    process.umask(umask);
  }
  // No export or audit file may replace a file beside the database.
  protectDataFolder(path.dirname(path.resolve(file)));
  return db;
}

/**
 * What state the database file is in, read-only and without the app's adapter (which would try
 * to migrate it): "ok", or what is wrong with it, for IT.
 */
export function checkDatabaseFile(file: string): { ok: boolean; text: string } {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { ok: true, text: `${file}: not created yet` };
  }
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (size === 0) return { ok: false, text: `${file}: DAMAGED, the file is empty (0 bytes)` };
  if (!head.equals(Buffer.from('SQLite format 3\0', 'latin1'))) {
    return { ok: false, text: `${file}: DAMAGED, not an SQLite database (${size} bytes; starts with ${JSON.stringify(head.toString('latin1').replace(/[^\x20-\x7e]/g, '.'))})` };
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
    const found = problems.map((p) => p.quick_check).filter((p) => p !== 'ok');
    return found.length === 0 ? { ok: true, text: `${file}: ok (${size} bytes)` } : { ok: false, text: `${file}: DAMAGED (${size} bytes): ${found.join('; ')}` };
  } catch (error) {
    return { ok: false, text: `${file}: DAMAGED (${size} bytes): ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    db?.close();
  }
}
