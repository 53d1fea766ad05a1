// The CLI's security commands as real processes: the audit trail (enrollments and a discard from
// the terminal, with the operator's name), its export, and diagnostics without the key.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/sqlite';
import { Settings } from '../../electron/core/settings';
import { cliEnv, runCli } from '../support/cli';
import { tempDir } from '../support/temp';

describe('token-station audit and diagnostics', () => {
  let dir: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    env = cliEnv({ TOKEN_STATION_DATA_DIR: dir });
    const db = openDatabase(dir);
    new Settings(db).set('preferences', { operatorName: 'Ida', sound: false, locale: null });
    db.close();
  });
  afterAll(() => cleanup?.());

  it('lists enrollments and a discard made from the terminal, filters them, and exports them', async () => {
    expect((await runCli(['add', '--uid', '04A224B2C35D80', '--customer', '1001', '--label', 'CLI-1'], env)).code).toBe(0);
    expect((await runCli(['add', '--uid', '04A224B2C35D81', '--customer', '1001'], env)).code).toBe(0);
    const queue = JSON.parse((await runCli(['queue', '--json'], env)).stdout) as { id: number; uid: string }[];
    const second = queue.find((t) => t.uid === '04A224B2C35D81')!;
    expect((await runCli(['queue', 'discard', '--id', String(second.id)], env)).code).toBe(0);

    const all = JSON.parse((await runCli(['audit', '--json'], env)).stdout) as { action: string; operator: string; subject: string; details: Record<string, unknown> }[];
    expect(all.map((e) => [e.action, e.subject, e.operator])).toEqual([
      ['discard', '04A224B2C35D81', 'Ida'],
      ['enroll', '04A224B2C35D81', 'Ida'],
      ['enroll', '04A224B2C35D80', 'Ida'],
    ]);
    expect(all[0]!.details).toMatchObject({ via: 'cli', customerId: 1001 });
    const table = await runCli(['audit', '--action', 'discard'], env);
    expect(table.stdout).toMatch(/^TIME\s+OPERATOR\s+ACTION\s+SUBJECT\n.*Ida\s+discard\s+04A224B2C35D81\n$/);

    const out = path.join(dir, 'activity.csv');
    const exported = await runCli(['audit', '--out', out], env);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/Wrote 3 entries/);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^\ufeffid,time,operator,action,subject,details\r\n/);
    expect(JSON.parse((await runCli(['audit', '--json', '--action', 'export'], env)).stdout)).toHaveLength(1);
  }, 120_000);

  it('refuses bad input with exit code 2', async () => {
    expect((await runCli(['audit', '--action', 'delete'], env)).code).toBe(2);
    expect((await runCli(['audit', '--format', 'xml', '--out', 'x'], env)).code).toBe(2);
    expect((await runCli(['audit', '--format', 'csv'], env)).code).toBe(2);
  });

  it('prints diagnostics with the connection set by the environment, and the key masked out', async () => {
    const key = 'cli-diagnostics-key-9931';
    const result = await runCli(['diagnostics'], cliEnv({ TOKEN_STATION_DATA_DIR: dir, TOKEN_STATION_API_URL: 'http://127.0.0.1:9', TOKEN_STATION_API_KEY: key }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Token Station CLI .* diagnostics/);
    expect(result.stdout).toMatch(/Connection: .* -> http:\/\/127\.0\.0\.1:9 \(spirii, set by environment\)/);
    expect(result.stdout).toMatch(/API key: from TOKEN_STATION_API_KEY \(not shown\)/);
    expect(result.stdout).toMatch(/Queue: .*pending 1/);
    expect(result.stdout + result.stderr).not.toContain(key);
  });
});
