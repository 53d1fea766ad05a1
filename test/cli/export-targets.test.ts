/**
 * Where exports may write: never over a file in the data folder (the database!), an existing
 * file elsewhere only with --force, a folder refused in one line. Through the real CLI, and the
 * core's writer (the window's save dialog path) on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, DATABASE_FILE } from '../../electron/core/db/sqlite';
import { openTableWriter } from '../../electron/core/io/writers';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
let dataDir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  dataDir = path.join(dir, 'data');
  env = cliEnv({ TOKEN_STATION_DATA_DIR: dataDir });
  expect((await runCli(['add', '--uid', '04A1B2C3', '--customer', '1001'], env)).code).toBe(0);
});
afterEach(() => cleanup());

/** The one line a refused command prints (past the sandbox notice), and its exit code. */
async function refused(args: string[]) {
  const result = await runCli(args, env);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('token-station '));
  return { code: result.code, lines, stdout: result.stdout, stderr: result.stderr };
}

async function queueIntact() {
  const queue = await runCli(['queue', '--json'], env);
  expect(queue.code, queue.stderr).toBe(0);
  expect(JSON.parse(queue.stdout).map((t: { uid: string }) => t.uid)).toEqual(['04A1B2C3']);
}

describe('export and audit --out', () => {
  it('refuse the live database and the files beside it, even with --force, and leave it working', async () => {
    const db = path.join(dataDir, DATABASE_FILE);
    const before = fs.readFileSync(db);
    for (const args of [
      ['export', '--source', 'local', '--format', 'csv', '--out', db],
      ['export', '--source', 'local', '--format', 'csv', '--out', db, '--force'],
      ['audit', '--out', db, '--force'],
      ['audit', '--out', `${db}-shm`, '--format', 'json'],
      ['reconcile', '--out', db, '--format', 'csv', '--force'],
    ]) {
      const r = await refused(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.lines, args.join(' ')).toHaveLength(1);
      expect(r.lines[0]).toContain(`is in the data folder ${fs.realpathSync(dataDir)}`);
    }
    expect(fs.readFileSync(db).equals(before)).toBe(true);
    expect(fs.readdirSync(dataDir).filter((n) => n.endsWith('.part'))).toEqual([]);
    await queueIntact();
  }, 120_000);

  it('refuse a link to the database placed elsewhere', async () => {
    const link = path.join(dir, 'innocent.csv');
    fs.symlinkSync(path.join(dataDir, DATABASE_FILE), link);
    const r = await refused(['export', '--source', 'local', '--format', 'csv', '--out', link, '--force']);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(/is in the data folder/);
    await queueIntact();
  }, 60_000);

  it('replace an existing file elsewhere only with --force', async () => {
    const file = path.join(dir, 'tokens.csv');
    fs.writeFileSync(file, 'keep me');
    const r = await refused(['export', '--source', 'local', '--format', 'csv', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([`token-station export: ${file} already exists: add --force to replace it`]);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    const audit = await refused(['audit', '--out', file]);
    expect(audit.code).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');

    expect((await runCli(['export', '--source', 'local', '--format', 'csv', '--out', file, '--force'], env)).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('04A1B2C3');
    expect((await runCli(['audit', '--out', file, '--force'], env)).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/enroll/);
    // A new file needs no --force.
    expect((await runCli(['export', '--source', 'local', '--format', 'json', '--out', path.join(dir, 'new.json')], env)).code).toBe(0);
  }, 120_000);

  it('a folder, or a folder that does not exist: one line, exit 2, no errno text', async () => {
    for (const out of [dir, path.join(dir, 'missing', 'tokens.csv')]) {
      for (const args of [
        ['export', '--source', 'local', '--format', 'csv', '--out', out],
        ['audit', '--out', out],
      ]) {
        const r = await refused(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.lines, r.stderr).toHaveLength(1);
        expect(r.lines[0]).toMatch(/is a folder: give a file name|does not exist/);
        expect(r.stderr).not.toMatch(/EISDIR|ENOENT/);
      }
    }
  }, 120_000);
});

it("the core's writer (the window's save dialog path) refuses a file in an open database's folder", async () => {
  const db = openDatabase(dataDir);
  try {
    const target = path.join(dataDir, DATABASE_FILE);
    expect(() => openTableWriter(target, 'csv', [{ name: 'uid', kind: 'text', get: () => 'x' }])).toThrow(/is in the data folder/);
    expect(() => openTableWriter(path.join(dataDir, 'settings-copy.json'), 'json', [])).not.toThrow(/data folder/);
  } finally {
    db.close();
  }
});
