/**
 * Two processes, one database: a card added while another process holds the write lock (an
 * import's one transaction for all its rows) waits for it instead of failing "database is locked".
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, DATABASE_FILE } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** Another process that takes the write lock, says "locked", holds it `ms`, then commits and says "committed". */
function holdWriteLock(file: string, ms: number) {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO settings (key, value) VALUES ('lock-holder', '1') ON CONFLICT DO NOTHING").run();
    console.log('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
    db.exec('COMMIT');
    console.log('committed ' + Date.now());
    db.close();`;
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const said = (word: string) => new Promise<string>((resolve) => lines.on('line', (l) => l.startsWith(word) && resolve(l)));
  return { locked: said('locked'), committed: said('committed'), exited: new Promise((r) => child.on('close', r)) };
}

it('add waits for another process writing a long transaction, then queues the card', async () => {
  openDatabase(dir).close(); // the schema exists, as it would before an import
  const holder = holdWriteLock(`${dir}/${DATABASE_FILE}`, 10_000);
  await holder.locked;
  const result = await runCli(['add', '--uid', '04A1B2C3', '--customer', '1001'], cliEnv({ TOKEN_STATION_DATA_DIR: dir }), 90_000);
  const finishedAt = Date.now();
  const committedAt = Number((await holder.committed).split(' ')[1]);
  await holder.exited;
  expect(result.stderr).not.toMatch(/locked/);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('Queued 04A1B2C3');
  // It did wait: it finished only after the other process let go.
  expect(finishedAt).toBeGreaterThanOrEqual(committedAt);
  const db = openDatabase(dir);
  expect(new TokenQueue(db).findByUid('04A1B2C3')).toBeDefined();
  db.close();
}, 60_000);
