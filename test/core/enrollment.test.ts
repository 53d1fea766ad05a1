import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { Settings } from '../../electron/core/settings';
import { Enrollment, enrollmentDefaultsSection, InvalidDefaultsError, labelFor, type EnrollmentDefaultsSection } from '../../electron/core/enrollment';
import { tempDir } from '../support/temp';

let cleanup: () => void;
let dir: string;
let db: Db;
let enrollment: Enrollment;
let defaults: EnrollmentDefaultsSection;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  defaults = enrollmentDefaultsSection(new Settings(db));
  enrollment = new Enrollment(new TokenQueue(db), defaults);
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('Enrollment', () => {
  it('refuses taps until a customer is chosen', () => {
    expect(enrollment.tap('04A224B2', 'test')).toMatchObject({ status: 'refused', reason: 'no-customer', uid: '04A224B2' });
  });

  it("queues a tap with the session's defaults and numbers the labels", () => {
    defaults.update({ customerId: 1001, labelPrefix: 'DK.ACME.', labelNext: 9, roamingEnabled: false, comment: 'desk 2' });
    const first = enrollment.tap('04:a2:24:b2', 'simulated');
    const second = enrollment.tap('04A224B3', 'simulated');
    expect(first).toMatchObject({ status: 'queued', token: { uid: '04A224B2', label: 'DK.ACME.0009', customerId: 1001, roamingEnabled: false, comment: 'desk 2' } });
    expect(second).toMatchObject({ status: 'queued', token: { label: 'DK.ACME.0010' } });
    expect(defaults.value.labelNext).toBe(11);
  });

  it('tells listeners of every change, with the label the next card gets', () => {
    const seen: (string | null)[] = [];
    enrollment.onChange((view) => seen.push(view.nextLabel));
    defaults.update({ customerId: 1001, labelPrefix: 'DK.' });
    enrollment.tap('04A224B2', 'test');
    expect(seen).toEqual(['DK.0001', 'DK.0002']);
    expect(enrollment.view).toMatchObject({ labelNext: 2, nextLabel: 'DK.0002' });
  });

  it('refuses a duplicate without using up a label number', () => {
    defaults.update({ customerId: 1001, labelPrefix: 'L', labelDigits: 2 });
    enrollment.tap('04A224B2', 'test');
    const again = enrollment.tap('04a224b2', 'test');
    expect(again).toMatchObject({ status: 'refused', reason: 'duplicate', existing: { label: 'L01' } });
    expect(defaults.value.labelNext).toBe(2);
  });

  it('refuses an unreadable UID with the reason', () => {
    defaults.update({ customerId: 1 });
    expect(enrollment.tap('XYZ', 'test')).toMatchObject({ status: 'refused', reason: 'invalid-uid', message: expect.stringMatching(/not hexadecimal/) });
  });

  it('validates defaults as the API documents them, and keeps them across restarts', () => {
    expect(() => defaults.update({ comment: 'x'.repeat(101) })).toThrow(InvalidDefaultsError);
    expect(() => defaults.update({ billingReference: 'x'.repeat(101) })).toThrow(/billingReference: at most 100/);
    expect(() => defaults.update({ validFrom: '2026-02-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' })).toThrow(/expiresAt must be after validFrom/);
    expect(() => defaults.update({ customerId: 0 })).toThrow(/customerId/);
    defaults.update({ customerId: 1002, customerName: 'Nordic Taxi', labelPrefix: 'NT-' });
    db.close();
    db = openDatabase(dir);
    const reopened = enrollmentDefaultsSection(new Settings(db));
    expect(reopened.value).toMatchObject({ customerId: 1002, customerName: 'Nordic Taxi', labelPrefix: 'NT-' });
  });

  it('formats labels as prefix + zero-padded number, none without a prefix', () => {
    expect(labelFor({ labelPrefix: 'DK.SPI.V', labelNext: 3198, labelDigits: 5 })).toBe('DK.SPI.V03198');
    expect(labelFor({ labelPrefix: '', labelNext: 1, labelDigits: 4 })).toBeNull();
  });
});
