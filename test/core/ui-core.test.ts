/** The core pieces behind the window (#5): typed labels, queue edit/discard, preferences, the session. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { Settings } from '../../electron/core/settings';
import { Enrollment, enrollmentDefaultsSection } from '../../electron/core/enrollment';
import { InvalidPreferencesError, preferencesSection } from '../../electron/core/preferences';
import { EnrollmentSession } from '../../electron/core/session';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';

let cleanup: () => void;
let dir: string;
let db: Db;
let queue: TokenQueue;
let settings: Settings;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  queue = new TokenQueue(db);
  settings = new Settings(db);
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('typed labels', () => {
  it('holds a card until its label is given, then queues it with that label', () => {
    const defaults = enrollmentDefaultsSection(settings);
    const enrollment = new Enrollment(queue, defaults);
    defaults.update({ customerId: 1001, labelPrefix: 'DK.', labelMode: 'typed' });
    expect(enrollment.view.nextLabel).toBeNull();
    expect(enrollment.tap(uidOf(1), 'simulated')).toMatchObject({ status: 'label-needed', uid: uidOf(1) });
    expect(queue.list()).toEqual([]);
    expect(enrollment.view.awaitingLabel).toMatchObject({ uid: uidOf(1), customerId: 1001 });
    // Another card meanwhile is refused; the same card again is harmless.
    expect(enrollment.tap(uidOf(2), 'simulated')).toMatchObject({ status: 'refused', reason: 'label-pending' });
    expect(enrollment.tap(uidOf(1), 'simulated')).toMatchObject({ status: 'label-needed' });
    expect(enrollment.giveLabel('  DK.SPI.V03198 ')).toMatchObject({ status: 'queued', token: { uid: uidOf(1), label: 'DK.SPI.V03198' } });
    expect(enrollment.view.awaitingLabel).toBeNull();
    expect(defaults.value.labelNext).toBe(1); // no number used
    expect(() => enrollment.giveLabel('x')).toThrow(/No card is waiting/);
  });

  it('refuses a duplicate before the label is typed, and can skip a card', () => {
    const defaults = enrollmentDefaultsSection(settings);
    const enrollment = new Enrollment(queue, defaults);
    defaults.update({ customerId: 1001, labelMode: 'typed' });
    enrollment.tap(uidOf(1), 'simulated');
    enrollment.giveLabel(null);
    expect(enrollment.tap(uidOf(1), 'simulated')).toMatchObject({ status: 'refused', reason: 'duplicate' });
    enrollment.tap(uidOf(2), 'simulated');
    enrollment.skipLabel();
    expect(enrollment.view.awaitingLabel).toBeNull();
    expect(queue.list().map((t) => t.uid)).toEqual([uidOf(1)]);
  });
});

describe('queue edit and discard, as the window uses them (full rules in queue.test.ts)', () => {
  it('changes or discards only a token not yet sent', () => {
    const a = queue.add(tokenDraft(uidOf(1), { label: 'A' }));
    const b = queue.add(tokenDraft(uidOf(2)));
    expect(queue.edit(a.id, { label: 'A2', customerId: 1002 })).toMatchObject({ label: 'A2', customerId: 1002, state: 'pending' });
    expect(queue.discard(b.id)).toMatchObject({ id: b.id, state: 'discarded' });
    expect(queue.list().map((t) => t.id)).toEqual([a.id]);
    queue.markChecked([a.id]);
    queue.claimPending(10, 'attempt');
    expect(() => queue.edit(a.id, { label: 'A3' })).toThrow(/cannot be edited: it is being sent/);
    expect(() => queue.discard(a.id)).toThrow(/cannot be discarded: it is being sent/);
    expect(queue.get(a.id)?.label).toBe('A2');
  });
});

describe('preferences', () => {
  it('are stored under "preferences", validated, and survive a restart', () => {
    const store = preferencesSection(settings);
    expect(store.value).toEqual({ operatorName: '', sound: true, locale: null });
    store.update({ operatorName: '  Mette ', locale: 'da', sound: false });
    expect(settings.get('preferences', {})).toEqual({ operatorName: 'Mette', sound: false, locale: 'da' });
    expect(() => store.update({ operatorName: 'x'.repeat(81) })).toThrow(InvalidPreferencesError);
    expect(preferencesSection(settings).value).toEqual({ operatorName: 'Mette', sound: false, locale: 'da' });
  });
});

describe('the enrollment session', () => {
  it('holds the tokens queued since it started, and starts again on request', () => {
    let now = new Date('2026-01-01T10:00:00Z');
    const timed = new TokenQueue(db, () => now);
    timed.add(tokenDraft(uidOf(1)));
    now = new Date('2026-01-01T11:00:00Z');
    const session = new EnrollmentSession(timed, settings, () => now);
    now = new Date('2026-01-01T11:05:00Z');
    timed.add(tokenDraft(uidOf(2)));
    expect(session.view().tokens.map((t) => t.uid)).toEqual([uidOf(2)]);
    now = new Date('2026-01-01T12:00:00Z');
    expect(session.restart().tokens).toEqual([]);
    expect(new EnrollmentSession(timed, settings, () => now).startedAt).toBe('2026-01-01T12:00:00.000Z');
  });
});
