/**
 * Where an export or audit file may be written. An export never replaces a file in a data folder
 * (the database, its -wal/-shm, the keys file: `export --out token-station.sqlite` once destroyed
 * the queue), whatever the caller says; an existing file elsewhere is replaced only when the
 * person said so (`--force`, or the OS's save dialog, which asks itself). A folder, or a folder
 * that does not exist, is refused in one line instead of the OS's EISDIR/ENOENT.
 */
import fs from 'node:fs';
import path from 'node:path';

/** An output file refused before anything was written; its message is one line for the desk. */
export class OutputFileRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFileRefused';
  }
}

/** Folders holding a database this process opened: no export may replace a file in them. */
const protectedFolders = new Set<string>();

/** Called when a database is opened: its folder is a data folder. */
export function protectDataFolder(dir: string): void {
  protectedFolders.add(realFolder(path.resolve(dir)));
}

/** The temporary name an export is written under beside its target, renamed when complete. */
export function partFileFor(target: string, tag: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}.part`);
}
const PART_FILE = /^\..+\.[0-9a-f]{8}\.part$/;
/** Where a data folder remembers the folders exports were written to, to clean them at start. */
const EXPORT_FOLDERS_FILE = 'export-folders.json';
const EXPORT_FOLDERS_KEPT = 50;
/** A .part file older than this is left by an export that was killed: removed at start. */
export const STALE_PART_MS = 24 * 60 * 60 * 1000;

function readExportFolders(dataDir: string): string[] {
  try {
    const list: unknown = JSON.parse(fs.readFileSync(path.join(dataDir, EXPORT_FOLDERS_FILE), 'utf8'));
    return Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

/** An export is about to write in `folder`: remember it in each data folder, so a killed export's .part file is found later. */
export function noteExportFolder(folder: string): void {
  const resolved = path.resolve(folder);
  for (const dataDir of protectedFolders) {
    const list = readExportFolders(dataDir);
    if (list[0] === resolved) continue;
    const next = [resolved, ...list.filter((f) => f !== resolved)].slice(0, EXPORT_FOLDERS_KEPT);
    try {
      fs.writeFileSync(path.join(dataDir, EXPORT_FOLDERS_FILE), JSON.stringify(next), { mode: 0o600 });
    } catch {
      // Only the clean-up at start depends on it.
    }
  }
}

/**
 * Remove the .part files that exports killed midway left (up to 10 MB each) in the folders this
 * data folder's exports went to, once they are older than a day (a younger one may belong to an
 * export running now in another process). Returns the files removed.
 */
export function removeStaleExportParts(dataDir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const folder of new Set([path.resolve(dataDir), ...readExportFolders(dataDir)])) {
    let names: string[];
    try {
      names = fs.readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!PART_FILE.test(name)) continue;
      const file = path.join(folder, name);
      try {
        const stats = fs.lstatSync(file);
        if (stats.isFile() && now - stats.mtimeMs > STALE_PART_MS) {
          fs.rmSync(file);
          removed.push(file);
        }
      } catch {
        // Gone meanwhile, or not ours to remove.
      }
    }
  }
  return removed;
}

/** Names SQLite may give files beside a database: never written by an export even when absent. */
const DATABASE_NAME = /\.(sqlite|sqlite3|db)(-wal|-shm|-journal)?$/i;

function realFolder(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

function inside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export interface TargetOptions {
  /** Replace an existing file (outside the data folder): the person said so. */
  force?: boolean;
  /** Data folders to protect beyond those of the databases this process opened. */
  dataDirs?: readonly string[];
}

/** Refuse (OutputFileRefused) a target an export must not write; returns it resolved. */
export function checkOutputTarget(target: string, options: TargetOptions = {}): string {
  const file = path.resolve(target);
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(file);
  } catch {
    stats = undefined;
  }
  if (stats?.isDirectory()) throw new OutputFileRefused(`${file} is a folder: give a file name, e.g. ${path.join(file, `tokens${path.extname(file) || '.csv'}`)}`);
  const folder = path.dirname(file);
  if (!stats && !fs.existsSync(folder)) throw new OutputFileRefused(`The folder ${folder} does not exist`);
  // Through symbolic links: the file that would really be replaced.
  const real = stats ? fs.realpathSync(file) : path.join(realFolder(folder), path.basename(file));
  const folders = [...protectedFolders, ...(options.dataDirs ?? []).map((d) => realFolder(path.resolve(d)))];
  const dataDir = folders.find((f) => inside(real, f));
  if (dataDir !== undefined && (stats || DATABASE_NAME.test(real))) {
    throw new OutputFileRefused(`${file} is in the data folder ${dataDir} (the database and settings live there): choose a file elsewhere`);
  }
  if (stats && !options.force) throw new OutputFileRefused(`${file} already exists: add --force to replace it`);
  if (stats && !stats.isFile()) throw new OutputFileRefused(`${file} is not a regular file`);
  return file;
}
