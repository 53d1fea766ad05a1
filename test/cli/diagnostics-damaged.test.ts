/** `diagnostics`, the command IT runs when something is broken, reports a damaged database instead of failing on it. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, DATABASE_FILE } from '../../electron/core/db/sqlite';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function diagnose(dataDir: string) {
  const result = await runCli(['diagnostics'], cliEnv({ TOKEN_STATION_DATA_DIR: dataDir }));
  expect(result.stdout).toContain(`Data folder: ${dataDir}`);
  expect(result.stdout).toMatch(/^OS: /m);
  return result;
}

it('a file of garbage: the report says what the file is, exit 1', async () => {
  fs.writeFileSync(path.join(dir, DATABASE_FILE), Buffer.from('PK\u0003\u0004 this is a zip, not a database'.repeat(200)));
  const result = await diagnose(dir);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/^Database: .*token-station\.sqlite: DAMAGED, not an SQLite database \(\d+ bytes; starts with "PK\.\. this is a z"\)$/m);
  expect(result.stdout).toMatch(/^The station could not start: Cannot open the database: .* is damaged \(SQLITE_NOTADB\)$/m);
}, 30_000);

it('a truncated database: the report says it is malformed, exit 1', async () => {
  const db = openDatabase(dir);
  db.exec('CREATE TABLE filler (x TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500));
  })();
  db.close();
  const file = path.join(dir, DATABASE_FILE);
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  const result = await diagnose(dir);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/^Database: .*: DAMAGED \(\d+ bytes\): database disk image is malformed$/m);
}, 30_000);

it('a healthy data folder: the usual report, exit 0', async () => {
  openDatabase(dir).close();
  const result = await diagnose(dir);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^Queue: /m);
}, 30_000);
