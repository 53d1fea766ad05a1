import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page, SpiriiToken } from '../../electron/core/token';
import { call, manualClock, post, rfid, seededRandom, uids, useSandbox } from './support';

type RateLimitedBody = { code: string; message: string };

const start = useSandbox();

describe('rate limits', () => {
  it('counts writes in a fixed one-minute window, with headers, then answers 429 with Retry-After', async () => {
    // 20 s into a minute: the window resets 40 s later.
    const clock = manualClock('2025-06-03T12:00:20.000Z');
    const reset = String(Date.parse('2025-06-03T12:01:00.000Z') / 1000);
    const sandbox = await start({ now: clock.now, rateLimit: { writesPerMinute: 3, readsPerMinute: 5 } });
    for (const [index, uid] of uids(3).entries()) {
      const response = await post(sandbox, rfid(uid));
      expect(response.status).toBe(201);
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(2 - index));
      expect(response.headers.get('x-ratelimit-reset')).toBe(reset);
    }
    clock.advance(500);
    const limited = await post<RateLimitedBody>(sandbox, rfid('04FFFFFFFFFFFF'));
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(sandbox.tokens()).toHaveLength(3);
    expect(sandbox.stats.rateLimited).toBe(1);

    // Reads have their own budget.
    const read = await call(sandbox, '/v2/tokens');
    expect(read.status).toBe(200);
    expect(read.headers.get('x-ratelimit-limit')).toBe('5');
    expect(read.headers.get('x-ratelimit-remaining')).toBe('4');

    // A PATCH is a write too.
    expect((await call(sandbox, '/v2/tokens/10001', { method: 'PATCH', body: { isActive: false } })).status).toBe(429);

    clock.set('2025-06-03T12:01:00.000Z');
    const next = await post(sandbox, rfid('04FFFFFFFFFFFF'));
    expect(next.status).toBe(201);
    expect(next.headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('says Retry-After 1 at the very end of a window, never 0', async () => {
    const clock = manualClock('2025-06-03T12:00:59.900Z');
    const sandbox = await start({ now: clock.now, rateLimit: { writesPerMinute: 1, readsPerMinute: 1 } });
    await call(sandbox, '/v2/tokens');
    const limited = await call(sandbox, '/v2/tokens');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('does not spend the budget on requests with a bad key', async () => {
    const sandbox = await start({ rateLimit: { writesPerMinute: 1, readsPerMinute: 1 } });
    const denied = await call(sandbox, '/v2/tokens', { authorization: 'Bearer wrong' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await call(sandbox, '/v2/tokens')).status).toBe(200);
  });

  it('sends no rate-limit headers when limiting is off', async () => {
    const sandbox = await start({ rateLimit: false });
    const response = await call(sandbox, '/v2/tokens');
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('defaults to 120 writes and 600 reads a minute', async () => {
    const sandbox = await start();
    expect((await call(sandbox, '/v2/tokens')).headers.get('x-ratelimit-limit')).toBe('600');
    expect((await post(sandbox, rfid('04A1B2C3'))).headers.get('x-ratelimit-limit')).toBe('120');
  });
});

describe('injected faults (failNext)', () => {
  it('dropBeforeStore: the request fails at the socket and nothing is stored', async () => {
    const sandbox = await start();
    sandbox.failNext('dropBeforeStore');
    await expect(post(sandbox, rfid('04A1B2C3'))).rejects.toThrow();
    expect(sandbox.tokens()).toEqual([]);
    // One-shot: the resend goes through.
    expect((await post(sandbox, rfid('04A1B2C3'))).status).toBe(201);
    expect(sandbox.stats.faultsInjected).toBe(1);
  });

  it('lateCommitDrop: the connection is cut at once, and the token is stored lateCommitMs after the request arrived', async () => {
    // Bounds far apart, so that a loaded machine cannot blur "at once" into "after the commit".
    const sandbox = await start({ faults: { lateCommitMs: 1_500 } });
    sandbox.failNext('lateCommitDrop');
    const sent = Date.now();
    await expect(post(sandbox, rfid('04A1B2C3'))).rejects.toThrow();
    expect(Date.now() - sent).toBeLessThan(1_500);
    expect(sandbox.tokens()).toEqual([]);
    await expect.poll(() => sandbox.tokens().map((token) => token.identifier.uid), { timeout: 5_000 }).toEqual(['04A1B2C3']);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1_490);
  });

  it('lateCommit: stored only lateCommitMs after arrival, then answered 201', async () => {
    const sandbox = await start({ faults: { lateCommitMs: 200 } });
    sandbox.failNext('lateCommit');
    const sent = Date.now();
    const answer = await post(sandbox, rfid('04A1B2C3'));
    expect(answer.status).toBe(201);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(195);
    expect(sandbox.tokens()).toHaveLength(1);
  });

  it('dropAfterStore: the request fails at the socket but the token is stored and can be looked up', async () => {
    const sandbox = await start();
    sandbox.failNext('dropAfterStore');
    await expect(post(sandbox, [rfid('04A1B2C3'), rfid('04A1B2C4')])).rejects.toThrow();
    expect(sandbox.tokens().map((token) => token.identifier.uid)).toEqual(['04A1B2C3', '04A1B2C4']);
    const lookup = await call<Page<SpiriiToken>>(sandbox, '/v2/tokens?search=04A1B2C3');
    expect(lookup.body.count).toBe(1);
    // Sending it again blindly is what the 409 is there to catch.
    expect((await post(sandbox, rfid('04A1B2C3'))).status).toBe(409);
  });

  it('error5xxBefore: a 500, 502 or 503 and nothing stored', async () => {
    const sandbox = await start();
    sandbox.failNext('error5xxBefore', 3);
    for (const uid of uids(3)) {
      const response = await post(sandbox, rfid(uid));
      expect([500, 502, 503]).toContain(response.status);
    }
    expect(sandbox.tokens()).toEqual([]);
  });

  it('error5xxAfter: a 500 with a { message } body, yet the token is stored', async () => {
    const sandbox = await start();
    sandbox.failNext('error5xxAfter');
    const response = await post<{ message: string }>(sandbox, rfid('04A1B2C3'));
    expect(response.status).toBe(500);
    expect(response.body.message).toEqual(expect.any(String));
    expect(sandbox.tokens()).toHaveLength(1);
  });

  it('badGateway: a 502 with an HTML body, as a proxy sends, and nothing stored', async () => {
    const sandbox = await start();
    sandbox.failNext('badGateway');
    const response = await post<string>(sandbox, rfid('04A1B2C3'));
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.body).toContain('502 Bad Gateway');
    expect(sandbox.tokens()).toEqual([]);
  });

  it('tooManyRequests: a 429 with the configured Retry-After, on reads as well as writes', async () => {
    const sandbox = await start({ faults: { retryAfterSeconds: 7 } });
    sandbox.failNext('tooManyRequests', 2);
    const read = await call<RateLimitedBody>(sandbox, '/v2/tokens');
    expect(read.status).toBe(429);
    expect(read.headers.get('retry-after')).toBe('7');
    expect(read.body.code).toBe('rate_limited');
    const write = await post(sandbox, rfid('04A1B2C3'));
    expect(write.status).toBe(429);
    expect(sandbox.tokens()).toEqual([]);
    expect((await call(sandbox, '/v2/tokens')).status).toBe(200);
  });

  it('write faults wait for a write: reads in between pass untouched', async () => {
    const sandbox = await start();
    sandbox.failNext('dropBeforeStore');
    expect((await call(sandbox, '/v2/tokens')).status).toBe(200);
    expect((await call(sandbox, '/v2/customers')).status).toBe(200);
    await expect(post(sandbox, rfid('04A1B2C3'))).rejects.toThrow();
  });

  it('applies to PATCH as well', async () => {
    const sandbox = await start();
    await post(sandbox, rfid('04A1B2C3'));
    sandbox.failNext('error5xxAfter');
    expect((await call(sandbox, '/v2/tokens/10001', { method: 'PATCH', body: { isActive: false } })).status).toBe(500);
    expect(sandbox.tokens()[0].isActive).toBe(false);
  });

  it('queued faults go in order and before probabilities', async () => {
    const sandbox = await start({ faults: { error5xxAfter: 1 } });
    sandbox.failNext('badGateway');
    sandbox.failNext('dropBeforeStore');
    expect((await post(sandbox, rfid('04A1B2C3'))).status).toBe(502);
    await expect(post(sandbox, rfid('04A1B2C3'))).rejects.toThrow();
    expect(sandbox.tokens()).toEqual([]);
    expect((await post(sandbox, rfid('04A1B2C3'))).status).toBe(500);
    expect(sandbox.tokens()).toHaveLength(1);
  });

  it('is not consumed by a request that fails auth', async () => {
    const sandbox = await start();
    sandbox.failNext('error5xxBefore');
    expect((await call(sandbox, '/v2/tokens', { method: 'POST', body: rfid('04A1B2C3'), authorization: null })).status).toBe(401);
    expect((await post(sandbox, rfid('04A1B2C3'))).status).toBeGreaterThanOrEqual(500);
  });
});

describe('injected faults (probabilities)', () => {
  it('with a seeded random, every kind of fault shows up and every token answered 201 is stored', async () => {
    const sandbox = await start({
      random: seededRandom(42),
      rateLimit: false,
      faults: { dropBeforeStore: 0.15, dropAfterStore: 0.15, error5xxBefore: 0.15, error5xxAfter: 0.15 },
    });
    const outcomes: Record<string, number> = {};
    const answeredCreated: string[] = [];
    for (const uid of uids(40)) {
      const outcome = await post(sandbox, rfid(uid)).then(
        (response) => String(response.status),
        () => 'dropped',
      );
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === '201') answeredCreated.push(uid);
    }
    expect(outcomes['201']).toBeGreaterThan(0);
    expect(outcomes.dropped).toBeGreaterThan(0);
    expect(Object.keys(outcomes).some((status) => status.startsWith('5'))).toBe(true);
    const stored = sandbox.tokens().map((token) => token.identifier.uid);
    expect(stored).toEqual(expect.arrayContaining(answeredCreated));
    // Some requests that failed for the client took effect anyway: that is the point.
    expect(stored.length).toBeGreaterThan(answeredCreated.length);
    expect(sandbox.stats.faultsInjected).toBe(40 - answeredCreated.length);
    expect(sandbox.stats.tokensCreated).toBe(stored.length);
  });

  it('setFaults turns faults on and off at run time', async () => {
    const sandbox = await start();
    sandbox.setFaults({ tooManyRequests: 1, retryAfterSeconds: 3 });
    const limited = await call(sandbox, '/v2/tokens');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    sandbox.setFaults({ tooManyRequests: 0 });
    expect((await call(sandbox, '/v2/tokens')).status).toBe(200);
    expect(() => sandbox.setFaults({ dropAfterStore: 2 })).toThrow(RangeError);
  });

  it('latency delays every answer', async () => {
    const sandbox = await start({ faults: { latencyMs: 600 } });
    const started = performance.now();
    expect((await call(sandbox, '/v2/tokens', { authorization: null })).status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
    sandbox.setFaults({ latencyMs: 0 });
    const quick = performance.now();
    await call(sandbox, '/v2/tokens');
    expect(performance.now() - quick).toBeLessThan(590);
  });

  it('close() ends requests still waiting out their latency', async () => {
    const sandbox = await start({ faults: { latencyMs: 10_000 } });
    const pending = call(sandbox, '/v2/tokens');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = performance.now();
    await sandbox.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - closing).toBeLessThan(5_000);
  });
});

describe('statePath persistence', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps tokens across close and restart, and goes on from the next id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const statePath = join(dir, 'nested', 'sandbox.json');
    const first = await start({ statePath });
    await post(first, [rfid('04A1B2C3'), rfid('04A1B2C4')]);
    await call(first, '/v2/tokens/10002', { method: 'PATCH', body: { comment: 'kept' } });
    const before = first.tokens();
    await first.close();
    expect(readdirSync(join(dir, 'nested'))).toEqual(['sandbox.json']);

    const second = await start({ statePath });
    expect(second.tokens()).toEqual(before);
    expect((await call<SpiriiToken>(second, '/v2/tokens/10002')).body.comment).toBe('kept');
    expect((await post(second, rfid('04A1B2C3'))).status).toBe(409);
    const next = await post<SpiriiToken>(second, rfid('04A1B2C5'));
    expect(next.body.id).toBe(10003);
  });

  it('refuses to start over a broken state file rather than lose it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const statePath = join(dir, 'sandbox.json');
    writeFileSync(statePath, '{"version":1,"tokens":[');
    await expect(start({ statePath })).rejects.toThrow(/not a valid snapshot/);
  });

  it('refuses a state file with repeated or unsafe ids, naming the problem, instead of dropping a token', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const statePath = join(dir, 'sandbox.json');
    const first = await start({ statePath });
    await post(first, [rfid('04A1B2C3'), rfid('04A1B2C4')]);
    const tokens = first.tokens();
    await first.close();
    const write = (list: unknown[]) => writeFileSync(statePath, JSON.stringify({ version: 1, tokens: list }));

    write([tokens[0], { ...tokens[1], id: tokens[0]!.id }]);
    await expect(start({ statePath })).rejects.toThrow(/tokens\[0\] and tokens\[1\] have the same id 10001/);
    write([tokens[0], { ...tokens[1], id: Number.MAX_SAFE_INTEGER + 2 }]);
    await expect(start({ statePath })).rejects.toThrow(/tokens\[1\] has id 9007199254740992: an id must be a whole number/);
    // The largest safe integer: the next token's id would be unsafe, and the file written then refused.
    write([tokens[0], { ...tokens[1], id: Number.MAX_SAFE_INTEGER }]);
    await expect(start({ statePath })).rejects.toThrow(/tokens\[1\] has id 9007199254740991: no safe id would be left/);

    // One below is the last usable id: it loads, the next create is refused, and what was written still loads.
    write([tokens[0], { ...tokens[1], id: Number.MAX_SAFE_INTEGER - 1 }]);
    const last = await start({ statePath });
    expect((await post(last, rfid('04A1B2C5'))).status).toBeGreaterThanOrEqual(500);
    await last.close();
    const again = await start({ statePath });
    expect(again.tokens()).toHaveLength(2);
    await again.close();
  });
});
