// Bad input across every command, as a script or a hurried person gives it: each is refused with
// exit 2 and ONE line in words (no zod, SQLite or errno text), long values shortened, and nothing
// changed in the data folder (no token, no saved setting).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/core/db/sqlite';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('token-station-cli-bad-'));
  // No key: the built-in sandbox, so nothing here can reach a network.
  env = cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'data') });
});
afterEach(() => cleanup());

/** Every token and every saved setting: what a refused command must leave as it was. */
function state(): { tokens: unknown[]; settings: unknown[] } {
  const file = path.join(dir, 'data', DATABASE_FILE);
  if (!fs.existsSync(file)) return { tokens: [], settings: [] };
  const db = new Database(file, { readonly: true });
  try {
    // session.startedAt is the station's note of when it was opened, not a setting anyone gave.
    return { tokens: db.prepare('SELECT uid, label, comment FROM tokens').all(), settings: db.prepare("SELECT * FROM settings WHERE key <> 'session.startedAt'").all() };
  } finally {
    db.close();
  }
}

const long = (n: number, c = 'A') => c.repeat(n);
const csv = (name: string, text: string | Buffer) => () => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

type Case = [name: string, args: string[] | (() => string[]), message: RegExp];

const CASES: Case[] = [
  // Each flag at most once (--state, --id and --tap are the documented repeatable ones).
  ['add: --customer twice', ['add', '--uid', '04A224B2', '--customer', '1', '--customer', '2'], /--customer is given more than once/],
  ['add: --label twice', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A', '--label', 'B'], /--label is given more than once/],
  ['enroll: --count twice', ['enroll', '--customer', '1', '--count', '1', '--count', '2', '--simulate'], /--count is given more than once/],
  ['queue: --search twice', ['queue', '--search', 'a', '--search', 'b'], /--search is given more than once/],
  ['sync: --timeout twice', ['sync', '--timeout', '1', '--timeout', '2'], /--timeout is given more than once/],
  ['uid: --from twice', ['uid', '04A224B2', '--from', 'hex', '--from', 'decimal'], /--from is given more than once/],
  ['export: --out twice', () => ['export', '--source', 'local', '--out', path.join(dir, 'a.csv'), '--out', path.join(dir, 'b.csv')], /--out is given more than once/],
  ['audit: --limit twice', ['audit', '--limit', '1', '--limit', '2'], /--limit is given more than once/],
  // Numbers out of bounds, checked before anything is saved.
  ['enroll: a count of 100000000000', ['enroll', '--customer', '1', '--count', '100000000000', '--simulate', '--label-prefix', 'X', '--label-start', '5'], /--count must be at most/],
  ['enroll: a label start past the largest number', ['enroll', '--customer', '1', '--label-prefix', 'X', '--label-start', '99999999999', '--simulate'], /--label-start must be at most/],
  ['queue hold: a year of minutes', ['queue', 'hold', '--minutes', '99999999'], /--minutes must be at most 1440/],
  ['queue batch: a batch of 0', ['queue', 'batch', '--size', '0'], /--size must be a positive integer/],
  ['queue batch: a batch of 501', ['queue', 'batch', '--size', '501'], /--size must be at most 500/],
  ['export: a start of validity that is no date', () => ['export', '--source', 'spirii', '--out', path.join(dir, 'x.csv'), '--valid-from', 'yesterday'], /--valid-from is not valid/],
  ['import: an unknown UID format', () => ['import', csv('c.csv', 'uid\n04A224B2\n')(), '--uid-format', 'weird'], /--uid-format must be one of/],
  ['sync: a timeout of centuries', ['sync', '--timeout', '9999999999999'], /--timeout must be at most/],
  ['audit: a limit past every trail', ['audit', '--limit', '99999999999999'], /--limit must be at most/],
  ['add: a customer id past 2^53', ['add', '--uid', '04A224B2', '--customer', '99999999999999999999'], /--customer must be a positive integer/],
  // Texts too long, shortened when echoed.
  ['enroll: a 120-character label prefix', ['enroll', '--customer', '1', '--label-prefix', long(120), '--simulate'], /--label-prefix must be at most 80 characters/],
  ['add: a 101-character label', ['add', '--uid', '04A224B2', '--customer', '1', '--label', long(101)], /--label must be at most 100 characters/],
  ['queue: a 100,000-character search', ['queue', '--search', long(100_000)], /--search must be at most/],
  ['export: a 100,000-character search', () => ['export', '--source', 'local', '--out', path.join(dir, 'x.csv'), '--search', long(100_000)], /--search must be at most/],
  ['add: a 100,000-character UID', ['add', '--uid', long(100_000, 'Z'), '--customer', '1'], /--uid: UID "Z+…" is not hexadecimal/],
  ['uid: a 100,000-digit decimal', ['uid', long(100_000, '9'), '--from', 'decimal'], /too large/],
  ['enroll: a 100,000-character --tap', ['enroll', '--customer', '1', '--tap', long(100_000, 'Q')], /--tap: UID "Q+…" is not hexadecimal/],
  ['add: an unknown 100,000-character flag', ['add', `--${long(100_000, 'x')}`], /Unknown option '--x+…'/],
  ['queue: a 100,000-character state', ['queue', '--state', long(100_000, 's')], /--state must be one of/],
  ['unknown 100,000-character command', [long(100_000, 'c')], /unknown command "c+…"/],
  // Control characters in what becomes a label, a comment or a billing reference.
  ['add: a label with a newline', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A\nB'], /--label must not contain control characters/],
  ['add: a label with an ESC sequence', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A\u001b[31mB'], /--label must not contain control characters/],
  ['add: a label with BEL', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A\u0007'], /--label must not contain control characters/],
  ['add: a label with a tab', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A\tB'], /--label must not contain control characters/],
  ['add: a label with a C1 control', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A\u009bB'], /--label must not contain control characters/],
  ['add: a label with a bidi override', ['add', '--uid', '04A224B2', '--customer', '1', '--label', 'A\u202eB'], /--label must not contain control characters/],
  ['enroll: a label prefix with ESC', ['enroll', '--customer', '1', '--label-prefix', '\u001b]0;x\u0007', '--simulate'], /--label-prefix must not contain control characters/],
  // UIDs: whole digits only in decimal, the cascade tag and all-same bytes refused.
  ['uid: 1.5 as decimal', ['uid', '1.5', '--from', 'decimal'], /not a decimal number/],
  ['uid: 1.2.3.4 as decimal', ['uid', '1.2.3.4', '--from', 'decimal'], /not a decimal number/],
  ['add: a 4-byte UID starting 88', ['add', '--uid', '88041234', '--customer', '1'], /cascade tag/],
  ['add: an all-zero UID', ['add', '--uid', '00000000', '--customer', '1'], /same byte/],
  ['add: an all-FF UID', ['add', '--uid', 'FF:FF:FF:FF:FF:FF:FF', '--customer', '1'], /same byte/],
  ['enroll: --tap of an all-zero UID', ['enroll', '--customer', '1', '--tap', '00000000000000'], /same byte/],
  // Files.
  ['import: a missing file', ['import', 'no-such-file.csv', '--customer', '1'], /no-such-file\.csv/],
  ['import: a UTF-32 file', () => ['import', csv('u32.csv', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('uid\n04A224B2\n'.split('').flatMap((c) => [c.charCodeAt(0), 0, 0, 0]))]))(), '--customer', '1'], /UTF-32/],
  ['import: a 100,000-character file name', ['import', `${long(100_000, 'f')}.csv`], /f+….csv|f+…/],
  // Replacing a lost card: the old card by UID or label, the new one by UID.
  ['replace: no --old', ['replace', '--new', '04B335C3D46E91'], /^token-station replace: --old is required/],
  ['replace: no --new', ['replace', '--old', '04A224B2C35D80'], /^token-station replace: --new is required/],
  ['replace: --new not a UID', ['replace', '--old', '04A224B2C35D80', '--new', 'XYZ'], /^token-station replace: --new: /],
  ['replace: --label with a line break', ['replace', '--old', '04A224B2C35D80', '--new', '04B335C3D46E91', '--label', 'A\nB'], /^token-station replace: --label /],
  ['replace: --label too long', ['replace', '--old', '04A224B2C35D80', '--new', '04B335C3D46E91', '--label', long(101)], /^token-station replace: --label must be at most 100 characters, got 101/],
  ['replace: --old too long', ['replace', '--old', long(101), '--new', '04B335C3D46E91'], /^token-station replace: --old must be at most 100 characters, got 101/],
  ['replace: --timeout zero', ['replace', '--old', '04A224B2C35D80', '--new', '04B335C3D46E91', '--timeout', '0'], /^token-station replace: --timeout must be a positive integer/],
  ['replace: --new twice', ['replace', '--old', '04A224B2C35D80', '--new', '04B335C3D46E91', '--new', '04C446D4E57FA2'], /--new is given more than once/],
];

describe('bad input across commands: exit 2, one line in words, nothing changed', () => {
  it.each(CASES)('%s', async (_name, args, message) => {
    const before = state();
    const result = await runCli(typeof args === 'function' ? args() : args, env);
    const stderr = result.stderr.replace(/^Built-in sandbox:.*\n/m, '');
    expect({ code: result.code, stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.length).toBeLessThan(400);
    expect(stderr).not.toMatch(/zod|ZodError|SQLITE|sqlite|ENOENT|EISDIR|EACCES|errno|Invalid array length|\bat .*\.ts:\d+/i);
    // Terminal control characters from the input are never echoed raw.
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(stderr.trimEnd()).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(result.stdout).toBe('');
    expect(state()).toEqual(before);
  });
});
