// Logs never hold a key or an Authorization header, rotate by size, and are for this user only.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileLogger, RecentErrors, redact, registerSecret, REDACTED } from '../../electron/core/logger';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('redact', () => {
  it('hides Authorization headers and key-like fields in every shape they take', () => {
    const cases = [
      'Authorization: Bearer sk_live_abcdef123456',
      '{"authorization":"Bearer sk_live_abcdef123456"}',
      "headers: { authorization: 'Basic sk_live_abcdef123456' }",
      'curl -H "Authorization: Bearer sk_live_abcdef123456"',
      'TOKEN_STATION_API_KEY=sk_live_abcdef123456 token-station sync',
      '{"apiKey":"sk_live_abcdef123456"}',
      'x-api-key: sk_live_abcdef123456',
      'sent with bearer sk_live_abcdef123456 to the API',
    ];
    for (const text of cases) {
      const out = redact(text);
      expect(out, text).not.toContain('sk_live_abcdef123456');
      expect(out, text).toContain(REDACTED);
    }
  });

  it('hides a registered secret wherever it appears, and leaves ordinary text alone', () => {
    registerSecret('plainsecretvalue42');
    expect(redact('the key plainsecretvalue42 was used')).toBe(`the key ${REDACTED} was used`);
    const ordinary = 'Queued 04A224B2C35D80 as DK-0001 for customer 1001';
    expect(redact(ordinary)).toBe(ordinary);
  });
});

describe('file logger', () => {
  it('writes redacted lines with their fields, 0600, rotating at the size limit and keeping N old files', () => {
    const file = path.join(dir, 'logs', 'cli.log');
    const recent = new RecentErrors(3);
    const log = createFileLogger(file, { maxBytes: 400, keep: 2 }, recent);
    log.info('request', { headers: { authorization: 'Bearer abc123def456' } });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/\[info\] request \{"headers":\{"authorization":"Bearer \[redacted\]"\}\}/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    for (let i = 0; i < 40; i++) log.warn(`line ${i} ${'x'.repeat(40)}`);
    const files = fs.readdirSync(path.dirname(file)).sort();
    expect(files).toEqual(['cli.1.log', 'cli.2.log', 'cli.log']);
    for (const name of files) expect(fs.statSync(path.join(dir, 'logs', name)).size).toBeLessThan(400 + 100);
    expect(fs.readFileSync(file, 'utf8')).toContain('line 39');
    expect(recent.list().map((e) => e.message.slice(0, 7))).toEqual(['line 37', 'line 38', 'line 39']);
  });

  it('skips levels below its threshold, and an unwritable file never throws', () => {
    const file = path.join(dir, 'a.log');
    const log = createFileLogger(file, { level: 'warn' });
    log.debug('no');
    log.info('no');
    log.error('yes', { error: new Error('boom') });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\[.*\] \[error\] yes \{"error":\{"name":"Error","message":"boom","stack":/);
    fs.rmSync(file);
    fs.mkdirSync(file); // now a folder: appending fails
    expect(() => log.error('still alive')).not.toThrow();
  });
});
