import { describe, expect, it } from 'vitest';
import { convertUid, randomUidRefusal, uidFormats, uidFrom } from '../../electron/core/uid';

describe('UID formats', () => {
  it('writes a 4-byte UID in every format, side by side', () => {
    expect(uidFormats('80A402A2')).toEqual({
      hex: '80A402A2',
      hexSeparated: '80:A4:02:A2',
      reversed: 'A202A480',
      reversedSeparated: 'A2:02:A4:80',
      decimal: '2158232226',
      decimal8h10d: '2718082176',
    });
    // Leading zeros kept: always 10 digits for 4 bytes.
    expect(uidFormats('0000ABCD').decimal).toBe('0000043981');
  });

  it('converts exactly back from each format, also for 7- and 10-byte UIDs beyond 2^53', () => {
    for (const uid of ['80A402A2', '0000ABCD', '04A224B2C35D80', '04FFFFFFFFFFFF', '04A224B2C35D80112233']) {
      const f = uidFormats(uid);
      expect(uidFrom(f.hex, 'hex')).toEqual({ ok: true, uid });
      expect(uidFrom(f.reversedSeparated, 'reversed')).toEqual({ ok: true, uid });
      expect(uidFrom(f.decimal, 'decimal')).toEqual({ ok: true, uid });
      if (f.decimal8h10d) expect(uidFrom(f.decimal8h10d, '8h10d')).toEqual({ ok: true, uid });
    }
    expect(uidFormats('04FFFFFFFFFFFF').decimal).toBe('01407374883553279');
  });

  it('takes decimals as a reader types them, and refuses what is not one', () => {
    expect(uidFrom('43981', 'decimal')).toEqual({ ok: true, uid: '0000ABCD' });
    expect(uidFrom('4294967296', 'decimal')).toMatchObject({ ok: false, error: expect.stringMatching(/too large/) });
    expect(uidFrom('12AB', 'decimal')).toMatchObject({ ok: false, error: expect.stringMatching(/not a decimal number/) });
    expect(uidFrom('4294967296', '8h10d')).toMatchObject({ ok: false, error: expect.stringMatching(/too large for an 8H10D/) });
    expect(uidFrom('04:a2', 'reversed')).toMatchObject({ ok: false, error: expect.stringMatching(/2 bytes long/) });
  });

  it('warns about, and refuses, a random ID (4 bytes starting with 08)', () => {
    expect(randomUidRefusal('08A1B2C3')).toMatch(/random ID/);
    expect(randomUidRefusal('08A1B2C3D4E5F6')).toBeNull();
    expect(randomUidRefusal('04A1B2C3')).toBeNull();
    expect(convertUid('C3B2A108', 'reversed')).toMatchObject({ ok: true, uid: '08A1B2C3', warning: expect.stringMatching(/random ID/) });
    expect(convertUid('zz')).toMatchObject({ ok: false, from: 'hex', error: expect.stringMatching(/not hexadecimal/) });
    expect(convertUid('zz')).toMatchObject({ problem: { key: 'not-hex', params: { input: 'zz' } } });
    expect(convertUid('C3B2A108', 'reversed')).toMatchObject({ randomUid: true });
    expect(convertUid('C3B2A109', 'reversed')).toMatchObject({ randomUid: false, warning: null });
    expect(convertUid('99999999999', '8h10d')).toMatchObject({ problem: { key: 'too-large-8h10d', params: { digits: '99999999999' } } });
  });
});
