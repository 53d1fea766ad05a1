// The rules a UID and a token's text obey wherever they enter: the reader, the desk, `add`, an
// import, the window's calls. One rule each, in core/uid.ts and core/token.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { QueueActionError, TokenQueue } from '../../electron/core/queue';
import { Settings } from '../../electron/core/settings';
import { Enrollment, enrollmentDefaultsSection, InvalidDefaultsError, type EnrollmentDefaultsSection } from '../../electron/core/enrollment';
import { convertUid, parseUid, randomUid, uidFrom } from '../../electron/core/uid';
import { detectUidFormat, parseUidAs } from '../../electron/core/io/uid-formats';
import { decodeText, FileRefused } from '../../electron/core/io/text';
import { planImport } from '../../electron/core/io/import-plan';
import { tempDir } from '../support/temp';
import { tokenDraft } from '../support/tokens';
import { DEFAULTS, utf8 } from '../io/support';

describe('UIDs', () => {
  it('accepts a 0x prefix, on the whole UID or on each byte, as readers\u2019 tools print them', () => {
    expect(parseUid('0x04A224B2C35D80')).toEqual({ ok: true, uid: '04A224B2C35D80' });
    expect(parseUid('0X04a224b2')).toEqual({ ok: true, uid: '04A224B2' });
    expect(parseUid('0x04 0xA2 0x24 0xB2')).toEqual({ ok: true, uid: '04A224B2' });
    expect(uidFrom('0xB224A204', 'reversed')).toEqual({ ok: true, uid: '04A224B2' });
    expect(parseUid('0x')).toMatchObject({ ok: false, problem: { key: 'empty', params: {} } });
  });

  it('refuses a 4-byte UID starting with the cascade tag 88, in every format, and says why', () => {
    for (const [value, format] of [['88041234', 'hex'], ['88:04:12:34', 'hex'], ['34120488', 'reversed'], ['2281968180', 'decimal']] as const) {
      const result = uidFrom(value, format);
      expect(result, `${value} as ${format}`).toMatchObject({ ok: false, problem: { key: 'cascade-tag', params: { uid: '88041234' } } });
      expect(result.ok ? '' : result.error).toMatch(/cascade tag: it is the first part of a 7-byte UID that was read short/);
    }
    // A 7-byte UID merely containing 88 is a UID.
    expect(parseUid('04881234567890')).toEqual({ ok: true, uid: '04881234567890' });
  });

  it('refuses UIDs of one byte repeated (all zero, all FF, …), of any length and format', () => {
    for (const value of ['00000000', 'FFFFFFFFFFFFFF', 'ff:ff:ff:ff', 'AAAAAAAAAAAAAAAAAAAA']) {
      expect(parseUid(value), value).toMatchObject({ ok: false, problem: { key: 'same-bytes', params: {} } });
    }
    expect(uidFrom('0', 'decimal')).toMatchObject({ ok: false, problem: { key: 'same-bytes', params: { uid: '00000000' } } });
    expect(uidFrom('4294967295', '8h10d')).toMatchObject({ ok: false, problem: { key: 'same-bytes', params: { uid: 'FFFFFFFF' } } });
    expect(convertUid('00000000')).toMatchObject({ ok: false, problem: { key: 'same-bytes', params: {} } });
  });

  it('takes decimal input as whole digits only', () => {
    for (const value of ['1.5', '1.2.3.4', '1,5', '-5', '+5', '12 34', '1e5']) {
      expect(uidFrom(value, 'decimal'), value).toMatchObject({ ok: false, problem: { key: 'not-decimal', params: {} } });
      expect(uidFrom(value, '8h10d'), value).toMatchObject({ ok: false, problem: { key: 'not-decimal', params: {} } });
    }
    expect(uidFrom(' 2158232226 ', 'decimal')).toEqual({ ok: true, uid: '80A402A2' });
  });

  it('shortens a huge input in its message, and does not take long over it', () => {
    const huge = uidFrom('9'.repeat(100_000), 'decimal');
    expect(huge).toMatchObject({ ok: false, problem: { key: 'too-large', params: { count: 100_000 } } });
    expect(huge.ok ? '' : huge.error.length).toBeLessThan(200);
    const hex = parseUid('Z'.repeat(100_000));
    expect(hex.ok ? '' : hex.error.length).toBeLessThan(200);
  });

  it('never makes up a refused UID for the simulated reader', () => {
    expect(randomUid(4, () => new Uint8Array([0x88, 1, 2, 3]))).toBe('89010203');
    expect(parseUid(randomUid(4, () => new Uint8Array([0x21, 0x21, 0x21, 0x21]))).ok).toBe(true);
    expect(parseUid(randomUid(7, () => new Uint8Array(7).fill(4))).ok).toBe(true);
  });
});

describe('UIDs in a file', () => {
  it('reads a hex UID that looks like scientific notation as the hex it is; only a +, . or , makes it a rounded number', () => {
    expect(parseUidAs('04000000009E97', 'hex')).toEqual({ ok: true, uid: '04000000009E97' });
    expect(parseUidAs('040000000000E0', 'hex')).toEqual({ ok: true, uid: '040000000000E0' });
    for (const rounded of ['4,00E+13', '4.0E+13', '4E+13', '4.00E13']) {
      expect(parseUidAs(rounded, 'hex'), rounded).toMatchObject({ ok: false, problem: { key: 'rounded', params: {} } });
    }
    expect(detectUidFormat(['04000000009E97', '04000000009E98'])).toBe('hex');
  });

  it('an import queues such UIDs as add does, and refuses the cascade tag and all-same bytes as a tap does', () => {
    const plan = planImport(utf8('uid\n04000000009E97\n040000000000E1\n88041234\n00000000000000\n0x04A224B2\n'), { defaults: DEFAULTS });
    expect(plan.rows.map((r) => [r.values.uid, r.status])).toEqual([
      ['04000000009E97', 'ready'],
      ['040000000000E1', 'ready'],
      ['88041234', 'invalid'],
      ['00000000000000', 'invalid'],
      ['04A224B2', 'ready'],
    ]);
    expect(plan.problems.map((p) => (p.detail as { params: { problem?: { key: string } } }).params.problem?.key)).toEqual(['cascade-tag', 'same-bytes']);
  });

  it('refuses UTF-32 (either byte order) as what it is, not as UTF-16', () => {
    const text = 'uid\n04A224B2\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from(text.split('').flatMap((c) => [c.charCodeAt(0), 0, 0, 0]))]);
    const be = Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), Buffer.from(text.split('').flatMap((c) => [0, 0, 0, c.charCodeAt(0)]))]);
    for (const bytes of [le, be]) {
      expect(() => decodeText(new Uint8Array(bytes))).toThrow(FileRefused);
      try {
        decodeText(new Uint8Array(bytes));
      } catch (error) {
        expect((error as FileRefused).detail).toEqual({ key: 'utf-32', params: {} });
        expect((error as FileRefused).message).toMatch(/UTF-32/);
      }
    }
    // UTF-16 LE still reads.
    expect(decodeText(new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])))).toEqual({ text, encoding: 'utf-16le' });
  });
});

describe('a token\u2019s text holds no control characters, however it enters', () => {
  let db: Db;
  let cleanup: () => void;
  let queue: TokenQueue;
  let enrollment: Enrollment;
  let defaults: EnrollmentDefaultsSection;
  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    db = openDatabase(dir);
    queue = new TokenQueue(db);
    defaults = enrollmentDefaultsSection(new Settings(db));
    enrollment = new Enrollment(queue, defaults);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const BAD = ['two\nlines', 'tab\there', 'esc\u001b[31m', 'bell\u0007', 'c1\u009b', 'del\u007f', 'bidi\u202eevil', 'isolate\u2066x'];

  it('the queue refuses them in a new token\u2019s label, comment and billing reference', () => {
    for (const text of BAD) {
      for (const field of ['label', 'comment', 'billingReference'] as const) {
        expect(() => queue.add(tokenDraft('04A224B2', { [field]: text })), `${field} ${JSON.stringify(text)}`).toThrow(QueueActionError);
      }
    }
    expect(queue.list()).toEqual([]);
    expect(queue.add(tokenDraft('04A224B2', { label: 'DK.ÆØÅ-0001', comment: 'Café «ok»' })).label).toBe('DK.ÆØÅ-0001');
  });

  it('an edit (the window\u2019s tokens.edit) is refused with the field named', () => {
    const token = queue.add(tokenDraft('04A224B2'));
    for (const text of BAD) {
      try {
        queue.edit(token.id, { comment: text });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(QueueActionError);
        expect((error as QueueActionError).detail).toEqual({ key: 'invalid-field', params: { field: 'comment', max: null, afterValidFrom: false } });
      }
    }
    expect(queue.get(token.id)!.comment).toBeNull();
  });

  it('the defaults (prefix, comment, billing reference) and a typed label are refused; the waiting card keeps waiting', () => {
    expect(() => defaults.update({ labelPrefix: 'DK\u001b]0;x\u0007' })).toThrow(InvalidDefaultsError);
    expect(() => defaults.update({ comment: 'a\nb' })).toThrow(InvalidDefaultsError);
    expect(() => defaults.update({ billingReference: 'a\u202eb' })).toThrow(InvalidDefaultsError);
    defaults.update({ customerId: 1001, labelMode: 'typed' });
    expect(enrollment.tap('04A224B2', 'test')).toMatchObject({ status: 'label-needed' });
    expect(() => enrollment.giveLabel('A\u0007')).toThrow(/control characters/);
    expect(enrollment.view.awaitingLabel).toMatchObject({ uid: '04A224B2' });
    expect(enrollment.giveLabel('A-1')).toMatchObject({ status: 'queued' });
  });

  it('a tap refuses the cascade tag and all-same bytes with their reason', () => {
    defaults.update({ customerId: 1001 });
    expect(enrollment.tap('88041234', 'test')).toMatchObject({ status: 'refused', reason: 'invalid-uid', detail: { params: { problem: { key: 'cascade-tag', params: {} } } } });
    expect(enrollment.tap('00000000', 'test')).toMatchObject({ status: 'refused', reason: 'invalid-uid', detail: { params: { problem: { key: 'same-bytes', params: {} } } } });
    expect(queue.list()).toEqual([]);
  });
});
