import { describe, expect, it } from 'vitest';
import { parseUid, randomUid } from '../../electron/core/uid';

describe('parseUid', () => {
  it('stores one canonical form: upper-case hex without separators', () => {
    expect(parseUid('04a224b2c35d80')).toEqual({ ok: true, uid: '04A224B2C35D80' });
    expect(parseUid('04:A2:24:B2:C3:5D:80')).toEqual({ ok: true, uid: '04A224B2C35D80' });
    expect(parseUid(' 04 a2 24 b2 ')).toEqual({ ok: true, uid: '04A224B2' });
    expect(parseUid('04-A2-24-B2-C3-5D-80-11-22-33')).toEqual({ ok: true, uid: '04A224B2C35D80112233' });
  });

  it('refuses what is not a card UID, saying why', () => {
    expect(parseUid('04A22')).toMatchObject({ ok: false, error: expect.stringMatching(/odd number of hex digits/) });
    expect(parseUid('04A2ZZB2')).toMatchObject({ ok: false, error: expect.stringMatching(/not hexadecimal/) });
    expect(parseUid('')).toMatchObject({ ok: false, error: 'UID is empty' });
    expect(parseUid('04A224')).toMatchObject({ ok: false, error: expect.stringMatching(/3 bytes long; a card UID is 4, 7 or 10 bytes/) });
  });

  it('says why also in machine-readable form, for a window in another language', () => {
    expect(parseUid('04A22')).toMatchObject({ problem: { key: 'odd-digits', params: { input: '04A22', digits: 5 } } });
    expect(parseUid('04A2ZZB2')).toMatchObject({ problem: { key: 'not-hex', params: { input: '04A2ZZB2' } } });
    expect(parseUid(' ')).toMatchObject({ problem: { key: 'empty', params: {} } });
    expect(parseUid('04A224')).toMatchObject({ problem: { key: 'length', params: { input: '04A224', bytes: 3 } } });
  });
});

describe('randomUid', () => {
  it('gives valid UIDs of each length, never a 4-byte random-ID (08..) one', () => {
    for (const bytes of [4, 7, 10] as const) {
      const uid = randomUid(bytes);
      expect(parseUid(uid)).toEqual({ ok: true, uid });
      expect(uid).toHaveLength(bytes * 2);
    }
    expect(randomUid(4, () => new Uint8Array([0x08, 1, 2, 3]))).toBe('09010203');
  });
});
