// The API key reaches no file: the core and the CLI run with a known key against a sandbox that
// requires it (enroll, sync, errors, audit, exports, diagnostics, logs), then every byte of the
// data folder, the logs and the exports, and everything the CLI printed, is searched for it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { createFileLogger, RecentErrors } from '../../electron/core/logger';
import { cliEnv, runCli, type CliResult } from '../support/cli';
import { FakeKeychain } from '../support/keychain';
import { filesContaining } from '../support/secrets';
import { tempDir } from '../support/temp';

const KEY = 'known-key-7d2f0c51e9a84b36';

describe('the API key is in no file the app or the CLI writes', () => {
  let sandbox: Sandbox;
  let dir: string;
  let cleanup: () => void;
  const printed: CliResult[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    sandbox = await startSandbox({ apiKey: KEY, host: '127.0.0.1' });
    fs.mkdirSync(path.join(dir, 'exports'));
  });
  afterAll(async () => {
    await sandbox?.close();
    cleanup?.();
  });

  it('the CLI, with the key from the environment only', async () => {
    const env = cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'cli'), TOKEN_STATION_API_URL: sandbox.url, TOKEN_STATION_API_KEY: KEY });
    const run = async (args: string[]) => {
      const result = await runCli(args, env, 60_000);
      printed.push(result);
      return result;
    };
    expect((await run(['add', '--uid', '04A224B2C35D80', '--customer', '1001', '--label', 'LEAK-1'])).code).toBe(0);
    expect((await run(['enroll', '--customer', '1001', '--simulate', '--count', '3', '--json'])).code).toBe(0);
    // An error path, logged. A refusal to take the request (429), not a 5xx: after a 5xx the tokens
    // are in doubt until Spirii can no longer commit them (80 s), longer than this sync may take.
    sandbox.failNext('tooManyRequests', 1);
    await run(['sync', '--timeout', '20']);
    expect((await run(['sync', '--timeout', '20'])).code).toBe(0);
    expect(sandbox.tokens().length).toBe(4);
    expect((await run(['queue', '--json'])).code).toBe(0);
    const audit = await run(['audit', '--json']);
    expect(JSON.parse(audit.stdout).filter((e: { action: string }) => e.action === 'enroll')).toHaveLength(4);
    expect((await run(['audit', '--out', path.join(dir, 'exports', 'activity.csv')])).code).toBe(0);
    expect((await run(['audit', '--out', path.join(dir, 'exports', 'activity.json'), '--format', 'json'])).code).toBe(0);
    const diagnostics = await run(['diagnostics']);
    expect(diagnostics.stdout).toMatch(/Connection: .* -> http:\/\/127\.0\.0\.1:\d+ \(spirii, set by environment\)/);
    // A sync against an API that has gone away: more errors for the log.
    const offline = cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'cli'), TOKEN_STATION_API_URL: 'http://127.0.0.1:9', TOKEN_STATION_API_KEY: KEY });
    await run(['add', '--uid', '04A224B2C35D81', '--customer', '1001']);
    printed.push(await runCli(['sync', '--timeout', '2'], offline, 30_000));
    const log = fs.readFileSync(path.join(dir, 'cli', 'logs', 'cli.log'), 'utf8');
    expect(log).toMatch(/Card queued/);
    expect(log).toMatch(/\[warn\] Sync: /);
  }, 180_000);

  it('the core in the app, with the key stored through the vault, used, failing and exported', async () => {
    const dataDir = path.join(dir, 'app');
    fs.mkdirSync(dataDir);
    const recent = new RecentErrors();
    const logger = createFileLogger(path.join(dataDir, 'logs', 'main.log'), { level: 'debug' }, recent);
    const station = await Station.create({ dataDir, vault: new FakeKeychain().vault(), logger, readers: { simulated: true } });
    try {
      const handlers = createHandlers(station, { version: 't', dataDir, recentErrors: () => recent.list() });
      await handlers['connections.setUrl']({ url: sandbox.url });
      await handlers['connections.save']({ id: 'custom', key: KEY });
      expect((await handlers['connections.test']({ id: 'custom' })).ok).toBe(true);
      await handlers['connections.select']({ id: 'custom' });
      station.enrollmentDefaults.update({ customerId: 1002, comment: 'leak test' });
      for (let i = 0; i < 3; i++) station.simulateTap();
      await expect.poll(() => station.sync.status.counts.synced, { timeout: 15_000 }).toBe(3);
      // A careless log line with the request's headers: redacted on the way out.
      logger.error('request failed', { headers: { authorization: `Bearer ${KEY}` }, url: sandbox.url });
      logger.warn(`retrying with key ${KEY}`);
      const exported = await handlers['audit.export']({ format: 'csv' });
      fs.writeFileSync(path.join(dir, 'exports', exported.filename), exported.content);
      const diagnostics = await handlers['diagnostics.get']({});
      fs.writeFileSync(path.join(dir, 'exports', 'diagnostics.txt'), diagnostics.text);
      expect(diagnostics.text).toMatch(/request failed/);
      const views = JSON.stringify([await handlers['connections.list']({}), await handlers['app.info']({}), exported]);
      expect(views).not.toContain(KEY);
    } finally {
      await station.close();
    }
  }, 60_000);

  it('zero hits in the data folders, logs and exports, and in what the CLI printed', () => {
    const files = filesContaining(dir, KEY);
    expect(files).toEqual([]);
    for (const result of printed) expect(result.stdout + result.stderr).not.toContain(KEY);
    // The files are there to search: databases, logs, exports, key file.
    const names = fs.readdirSync(dir, { recursive: true }).map(String);
    for (const expected of ['token-station.sqlite', 'cli.log', 'main.log', 'activity.csv', 'activity.json', 'diagnostics.txt', 'connection-keys.json']) {
      expect(names.some((n) => n.endsWith(expected)), expected).toBe(true);
    }
    // And the search would find the key were it there.
    fs.writeFileSync(path.join(dir, 'control.bin'), Buffer.from(`\u0000${KEY}\u0000`, 'utf16le'));
    expect(filesContaining(dir, KEY)).toEqual([path.join(dir, 'control.bin')]);
  });
});
