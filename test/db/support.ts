import path from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabaseFile, type Db } from '../../electron/core/db/sqlite';
import { tempDir } from '../support/temp';

/** A real SQLite file with the tables `ddl` creates, for one test: closed and removed when it ends. */
export function scratchDatabase(ddl: string): Db {
  const { dir, cleanup } = tempDir();
  const db = openDatabaseFile(path.join(dir, 'scratch.sqlite'));
  onTestFinished(() => {
    db.close();
    cleanup();
  });
  db.exec(ddl);
  return db;
}
