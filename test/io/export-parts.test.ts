/**
 * A killed export leaves its .part file (up to 10 MB) beside the target. The next start removes
 * those older than a day in the folders this data folder's exports went to, and nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const DAY = 24 * 60 * 60 * 1000;
function file(name: string, ageMs: number): string {
  const full = path.join(dir, 'exports', name);
  fs.writeFileSync(full, 'x'.repeat(1000));
  const at = new Date(Date.now() - ageMs);
  fs.utimesSync(full, at, at);
  return full;
}

it('removes stale .part files of exports at start, keeps fresh ones and files that are not ours', async () => {
  const env = cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'data') });
  fs.mkdirSync(path.join(dir, 'exports'));
  expect((await runCli(['add', '--uid', '04A1B2C3', '--customer', '1001'], env)).code).toBe(0);
  // One export there makes it a folder this desk exports to.
  expect((await runCli(['export', '--source', 'local', '--format', 'csv', '--out', path.join(dir, 'exports', 'tokens.csv')], env)).code).toBe(0);

  const killed = file('.tokens.csv.0badf00d.part', 2 * DAY);
  const killedAudit = file('.activity.csv.1234abcd.part', DAY + 60_000);
  const running = file('.tokens.xlsx.c0ffee00.part', 60 * 60 * 1000); // another process may be writing it now
  const notOurs = file('.cache.part', 3 * DAY);
  const mine = file('notes.part', 3 * DAY);

  expect((await runCli(['queue'], env)).code).toBe(0);
  for (const gone of [killed, killedAudit]) expect(fs.existsSync(gone), gone).toBe(false);
  for (const kept of [running, notOurs, mine, path.join(dir, 'exports', 'tokens.csv')]) expect(fs.existsSync(kept), kept).toBe(true);
}, 60_000);
