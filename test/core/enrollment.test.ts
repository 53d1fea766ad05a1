import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { Settings } from '../../electron/core/settings';
import { awaitingLabelSection, Enrollment, enrollmentDefaultsSection, InvalidDefaultsError, labelFor, type EnrollmentDefaultsSection } from '../../electron/core/enrollment';
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
  enrollment = new Enrollment(new TokenQueue(db), defaults, awaitingLabelSection(new Settings(db)));
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

describe('the counter: labels as printed, a waiting card that survives a restart, undo in one step', () => {
  it('keeps the card waiting for its label across a restart: the next card is still refused', () => {
    defaults.update({ customerId: 1001, labelMode: 'typed' });
    expect(enrollment.tap('04A224B2', 'simulated')).toMatchObject({ status: 'label-needed' });
    const restarted = new Enrollment(new TokenQueue(db), enrollmentDefaultsSection(new Settings(db)), awaitingLabelSection(new Settings(db)));
    expect(restarted.view.awaitingLabel).toMatchObject({ uid: '04A224B2', customerId: 1001 });
    expect(restarted.tap('04A224B3', 'simulated')).toMatchObject({ status: 'refused', reason: 'label-pending' });
    expect(restarted.giveLabel('ACME-7')).toMatchObject({ status: 'queued', token: { uid: '04A224B2', label: 'ACME-7' } });
    expect(new Enrollment(new TokenQueue(db), enrollmentDefaultsSection(new Settings(db)), awaitingLabelSection(new Settings(db))).view.awaitingLabel).toBeNull();
  });

  it('refuses a label already on another card, and the card keeps waiting for the right one', () => {
    defaults.update({ customerId: 1001, labelMode: 'typed' });
    enrollment.tap('04A224B2', 'simulated');
    enrollment.giveLabel('BOX-1');
    enrollment.tap('04A224B3', 'simulated');
    expect(enrollment.giveLabel('BOX-1')).toMatchObject({ status: 'refused', reason: 'label-used', existing: { uid: '04A224B2' } });
    expect(enrollment.view.awaitingLabel?.uid).toBe('04A224B3');
    expect(enrollment.giveLabel('BOX-2')).toMatchObject({ status: 'queued' });
  });

  it('numbers labels with an optional prefix and suffix, any width or none, and shows the next three', () => {
    defaults.update({ customerId: 1001, labelPrefix: 'DK.SPI.V', labelNext: 3198, labelDigits: 5 });
    expect(enrollment.view.nextLabels).toEqual(['DK.SPI.V03198', 'DK.SPI.V03199', 'DK.SPI.V03200']);
    defaults.update({ labelPrefix: '', labelNext: 100234, labelDigits: 0 });
    expect(enrollment.view.nextLabel).toBeNull(); // no prefix: no label, as before, until plain numbers are chosen
    defaults.update({ labelPlain: true });
    expect(enrollment.view.nextLabels).toEqual(['100234', '100235', '100236']);
    defaults.update({ labelNext: 123, labelDigits: 6, labelSuffix: '-B' });
    expect(enrollment.view.nextLabel).toBe('000123-B');
    // Spirii's limit: a label of at most 100 characters.
    expect(() => defaults.update({ labelPrefix: 'P'.repeat(80), labelSuffix: 'S'.repeat(30) })).toThrow(InvalidDefaultsError);
    expect(enrollment.view.nextLabel).toBe('000123-B');
  });

  it('undoes a tap in one call: the token is discarded and its label number given again', () => {
    defaults.update({ customerId: 1001, labelPrefix: 'U-', labelNext: 1 });
    const tapped = enrollment.tap('04A224B2', 'simulated');
    if (tapped.status !== 'queued') throw new Error('not queued');
    expect(enrollment.undo(tapped.token.id)).toMatchObject({ removed: { uid: '04A224B2', state: 'discarded' }, labelReused: 'U-0001' });
    expect(enrollment.view.nextLabel).toBe('U-0001');
  });
});
