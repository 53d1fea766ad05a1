// `enroll --count N` ends when N cards are queued, whatever was refused in between; and what the
// CLI prints of a token's text never acts on the terminal.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/core/db/sqlite';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('token-station-cli-enroll-'));
  env = cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'data') });
});
afterEach(() => cleanup());

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; uid?: string; reason?: string; label?: string });

describe('enroll --count counts cards queued, not taps', () => {
  it('goes past a random ID and a card already queued until 2 cards are queued', async () => {
    const result = await runCli(
      ['enroll', '--customer', '1001', '--count', '2', '--label-prefix', 'K-', '--label-start', '1', '--json',
        '--tap', '08A1B2C3', // a random ID: refused
        '--tap', '04A224B2C35D80',
        '--tap', '04a224b2c35d80', // the same card again: refused
        '--tap', '04A224B2C35D81',
        '--tap', '04A224B2C35D82'], // past the count: not tapped
      env,
    );
    expect(result.code).toBe(0);
    const all = events(result.stdout);
    expect(all.map((e) => e.event)).toEqual(['refused', 'queued', 'refused', 'queued']);
    expect(all.filter((e) => e.event === 'queued').map((e) => [e.uid, e.label])).toEqual([
      ['04A224B2C35D80', 'K-0001'],
      ['04A224B2C35D81', 'K-0002'],
    ]);
  });

  it('says so and exits 1 when the taps run out before the count is reached', async () => {
    const result = await runCli(['enroll', '--customer', '1001', '--count', '3', '--tap', '04A224B2C35D80', '--tap', '08A1B2C3'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Queued 04A224B2C35D80 \(1\/3 queued\)$/m);
    expect(result.stdout).toMatch(/^Refused 08A1B2C3: .*random ID.*\(1\/3 queued\)$/m);
    expect(result.stderr).toMatch(/^1 of 3 cards queued\.$/m);
  });

  it('--simulate --count 5 queues five cards', async () => {
    const result = await runCli(['enroll', '--customer', '1001', '--count', '5', '--simulate', '--json'], env);
    expect(result.code).toBe(0);
    expect(events(result.stdout).filter((e) => e.event === 'queued')).toHaveLength(5);
  });
});

describe('what the CLI prints of outside text', () => {
  it('queue escapes control characters that an older database may hold in a label, a comment or an error', async () => {
    expect((await runCli(['add', '--uid', '04A224B2', '--customer', '1001', '--label', 'plain'], env)).code).toBe(0);
    // Written directly, as a row from before the rule or another program could hold it.
    const db = new Database(path.join(dir, 'data', DATABASE_FILE));
    db.prepare("UPDATE tokens SET label = ?, last_error = ?, state = 'rejected'").run('A\u001b[2J\u0007B\nC\u202eD', 'Spirii said\n\u001b]0;pwned\u0007');
    db.close();
    const result = await runCli(['queue'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('A\\x1b[2J\\x07B\\nC\\u202eD');
    expect(result.stdout).toContain('Spirii said\\n\\x1b]0;pwned\\x07');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(result.stdout.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);
  });
});
