// A gateway in front of Spirii that answers 400 and repeats the request's Authorization header
// (and credentials of its own) in the error message. The key must reach no text the app stores,
// prints, exports or shows: the database file's bytes (free pages, -wal, -shm), the logs, every
// export and everything the CLI printed are searched for it. The database files are 0600.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { cliEnv, runCli, type CliResult } from '../support/cli';
import { filesContaining } from '../support/secrets';
import { tempDir } from '../support/temp';

const KEY = 'echoed-key-3b9e61d04fa7c218';
/** The gateway's own upstream credentials, which the app was never told of: caught by their shape. */
const BASIC = 'Z2F0ZXdheTpzM2NyZXQ0dXBzdHJlYW0=';

/** Refuses every POST with the echo; GETs too while `echoGets` (else an empty page, so the pre-send check passes). */
function startEchoingGateway(): Promise<{ url: string; requests: number; echoGets: boolean; close: () => Promise<void> }> {
  const state = { requests: 0, echoGets: false };
  const server = http.createServer((req, res) => {
    state.requests++;
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && !state.echoGets) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: [], count: 0, limit: 100, offset: 0 }));
        return;
      }
      const auth = req.headers.authorization ?? '';
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `Gateway refused the request: header "Authorization: ${auth}" not accepted (upstream Basic ${BASIC}; key ${auth.replace(/^Bearer /, '')})`,
            code: `bad_auth ${auth}`,
          },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get requests() {
          return state.requests;
        },
        get echoGets() {
          return state.echoGets;
        },
        set echoGets(on: boolean) {
          state.echoGets = on;
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('a gateway that echoes the Authorization header', () => {
  let gateway: Awaited<ReturnType<typeof startEchoingGateway>>;
  let dir: string;
  let cleanup: () => void;
  const printed: { args: string[]; result: CliResult }[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    gateway = await startEchoingGateway();
  });
  afterAll(async () => {
    await gateway?.close();
    cleanup?.();
  });

  it('the CLI: sync, queue, import, exports, reconcile, audit and diagnostics carry no key', async () => {
    const dataDir = path.join(dir, 'cli');
    const out = path.join(dir, 'exports');
    fs.mkdirSync(out);
    const env = cliEnv({ TOKEN_STATION_DATA_DIR: dataDir, TOKEN_STATION_API_URL: gateway.url, TOKEN_STATION_API_KEY: KEY });
    const run = async (...args: string[]) => {
      const result = await runCli(args, env, 60_000);
      printed.push({ args, result });
      return result;
    };
    expect((await run('add', '--uid', '04A224B2C35D80', '--customer', '1001', '--label', 'ECHO-1')).code).toBe(0);
    expect((await run('add', '--uid', '04A224B2C35D81', '--customer', '1001')).code).toBe(0);
    await run('sync', '--timeout', '10', '--json');
    await run('sync', '--timeout', '10');
    expect(gateway.requests).toBeGreaterThan(0);
    // The gateway's message was stored (redacted), so there was something to leak.
    const queue = await run('queue', '--json');
    expect(queue.stdout).toContain('Gateway refused the request');
    await run('queue');
    await run('queue', '--state', 'rejected');
    fs.writeFileSync(path.join(dir, 'cards.csv'), 'uid,label\n04A224B2C35D80,ECHO-1\n04A224B2C35D82,ECHO-3\n');
    await run('import', path.join(dir, 'cards.csv'), '--customer', '1001', '--json');
    await run('import', path.join(dir, 'cards.csv'), '--customer', '1001', '--dry-run');
    gateway.echoGets = true;
    for (const format of ['csv', 'xlsx', 'json']) {
      expect((await run('export', '--source', 'local', '--format', format, '--out', path.join(out, `local.${format}`))).code).toBe(0);
    }
    await run('export', '--source', 'spirii', '--format', 'csv', '--out', path.join(out, 'spirii.csv'));
    await run('reconcile', '--customer', '1001', '--json');
    await run('audit', '--json');
    await run('diagnostics');
    // A retry clears the stored error and a new one is written: the old text must not linger in free pages.
    gateway.echoGets = false;
    await run('queue', 'retry');
    await run('sync', '--timeout', '10', '--json');
    await run('queue', '--json');

    expect(mode(path.join(dataDir, 'token-station.sqlite'))).toBe(0o600);
  }, 240_000);

  it('the window: the queue the desk sees, sync status and the diagnostics carry no key; -wal and -shm are 0600', async () => {
    const dataDir = path.join(dir, 'app');
    fs.mkdirSync(dataDir);
    // A database from before: created 0644, made 0600 when opened.
    fs.writeFileSync(path.join(dataDir, 'token-station.sqlite'), '', { mode: 0o644 });
    const station = await Station.create({ dataDir, readers: { simulated: false, pcsc: false }, api: { baseUrl: gateway.url, apiKey: KEY } });
    try {
      for (const suffix of ['', '-wal', '-shm']) expect(mode(path.join(dataDir, `token-station.sqlite${suffix}`)), suffix || 'db').toBe(0o600);
      gateway.echoGets = false;
      const handlers = createHandlers(station, { version: 't', dataDir });
      station.enrollmentDefaults.update({ customerId: 1001 });
      station.enrollment.tap('04A224B2C35D90', 'cli');
      await expect.poll(() => station.queue.findByUid('04A224B2C35D90')?.state, { timeout: 20_000 }).toBe('rejected');
      const seen = JSON.stringify([station.queue.list(), await handlers['diagnostics.get']({}), station.sync.status]);
      expect(seen).toContain('Gateway refused');
      expect(seen).not.toContain(KEY);
      expect(seen).not.toContain(BASIC);
      // A refused GET: the window's Spirii list shows the error text.
      gateway.echoGets = true;
      const listed = await Promise.resolve(handlers['tokens.list']({})).catch((error: Error) => error.message);
      expect(String(listed)).toContain('Gateway refused');
      expect(String(listed)).not.toContain(KEY);
    } finally {
      await station.close();
    }
  }, 60_000);

  it('zero hits: database bytes (free pages, -wal, -shm), logs, exports (xlsx unzipped) and every CLI output', () => {
    for (const secret of [KEY, BASIC]) {
      expect(filesContaining(dir, secret), secret).toEqual([]);
      for (const { args, result } of printed) expect(result.stdout + result.stderr, `${args.join(' ')} printed ${secret}`).not.toContain(secret);
      const xlsx = unzipSync(fs.readFileSync(path.join(dir, 'exports', 'local.xlsx')));
      for (const [name, bytes] of Object.entries(xlsx)) expect(Buffer.from(bytes).includes(secret), `${name} in local.xlsx`).toBe(false);
    }
    const names = fs.readdirSync(dir, { recursive: true }).map(String);
    for (const expected of ['token-station.sqlite', 'cli.log', 'local.csv', 'local.xlsx', 'local.json']) expect(names.some((n) => n.endsWith(expected)), expected).toBe(true);
    // And the search would find the key were it there.
    fs.writeFileSync(path.join(dir, 'control.bin'), Buffer.from(`\u0000${KEY}\u0000`));
    expect(filesContaining(dir, KEY)).toEqual([path.join(dir, 'control.bin')]);
    fs.rmSync(path.join(dir, 'control.bin'));
  });
});
