import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, DATABASE_FILE, type Db } from '../../electron/core/db/sqlite';
import { DuplicateUidError, QueueActionError, TokenQueue, toTokenCreate, type TokenDraft } from '../../electron/core/queue';
import { tempDir } from '../support/temp';
import { tokenDraft } from '../support/tokens';

let dir: string;
let cleanup: () => void;
let db: Db;
let queue: TokenQueue;

const draft = (uid: string, extra: Partial<TokenDraft> = {}) => tokenDraft(uid, { priorityChargingEnabled: false, ...extra });

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  queue = new TokenQueue(db);
});
afterEach(() => {
  if (db.open) db.close();
  cleanup();
});

describe('TokenQueue', () => {
  it('has the token on disk, visible to another connection, as soon as add returns', () => {
    const token = queue.add(draft('04A224B2C35D80', { label: 'DK.ACME.0001' }));
    expect(token).toMatchObject({ uid: '04A224B2C35D80', state: 'pending', label: 'DK.ACME.0001', attempts: 0 });
    const other = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    expect(other.prepare('SELECT uid, state, label FROM tokens').all()).toEqual([{ uid: '04A224B2C35D80', state: 'pending', label: 'DK.ACME.0001' }]);
    other.close();
  });

  it("reads a problem stored under its earlier key ('held-twice') as the key it has now", () => {
    // Rows written before the key was renamed keep it in the database; the window words the new one.
    const token = queue.add(draft('04A224B2'));
    const place = { spiriiId: 7, customerId: 1001, label: null };
    db.prepare(`UPDATE tokens SET state = 'rejected', last_error = 'twice', last_error_detail = ? WHERE id = ?`).run(
      JSON.stringify({ key: 'held-twice', params: { places: [place, { ...place, spiriiId: 8 }] } }),
      token.id,
    );
    expect(queue.get(token.id)!.lastErrorDetail).toEqual({ key: 'in-spirii-twice', params: { places: [place, { ...place, spiriiId: 8 }] } });
  });

  it('refuses a UID already queued, in any state, and names where it is', () => {
    const first = queue.add(draft('04A224B2', { label: 'L-1' }));
    queue.markSynced([{ id: first.id, spiriiId: 5 }]);
    let error: unknown;
    try {
      queue.add(draft('04A224B2', { customerId: 2 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DuplicateUidError);
    expect((error as DuplicateUidError).existing).toMatchObject({ state: 'synced', customerId: 1001, label: 'L-1', spiriiId: 5 });
    expect(queue.counts()).toMatchObject({ synced: 1, pending: 0 });
  });

  it('claims pending tokens oldest first under one attempt, and counts by state', () => {
    const ids = ['04000001', '04000002', '04000003'].map((uid) => queue.add(draft(uid)).id);
    // Not yet checked against Spirii: nothing may be claimed.
    expect(queue.claimPending(10, 'attempt-0')).toEqual([]);
    queue.markChecked(ids);
    const claimed = queue.claimPending(2, 'attempt-1');
    expect(claimed.map((t) => t.id)).toEqual(ids.slice(0, 2));
    expect(claimed.every((t) => t.state === 'sending' && t.attempts === 1)).toBe(true);
    expect(db.prepare(`SELECT DISTINCT attempt_id FROM tokens WHERE state = 'sending'`).pluck().all()).toEqual(['attempt-1']);
    expect(queue.counts()).toEqual({ held: 0, pending: 1, sending: 2, synced: 0, rejected: 0, in_doubt: 0, discarded: 0 });
  });

  it('after a crash, turns tokens left "sending" into "in doubt"', () => {
    queue.markChecked([queue.add(draft('04000001')).id]);
    queue.claimPending(10, 'a');
    db.close();
    db = openDatabase(dir);
    queue = new TokenQueue(db);
    expect(queue.recoverInterrupted()).toBe(1);
    expect(queue.list()[0]).toMatchObject({ state: 'in_doubt', lastError: expect.stringMatching(/stopped while this token was being sent/) });
  });

  it('records outcomes and tells listeners about each changed row', () => {
    const seen: string[] = [];
    queue.onChange((tokens) => seen.push(...tokens.map((t) => `${t.uid}:${t.state}`)));
    const a = queue.add(draft('04000001'));
    const b = queue.add(draft('04000002'));
    queue.markSynced([{ id: a.id, spiriiId: 77 }]);
    queue.markRejected([b.id], 'customerId: unknown');
    expect(seen).toEqual(['04000001:pending', '04000002:pending', '04000001:synced', '04000002:rejected']);
    expect(queue.get(a.id)).toMatchObject({ spiriiId: 77, syncedAt: expect.any(String) });
    expect(queue.get(b.id)).toMatchObject({ lastError: 'customerId: unknown' });
  });

  it('maps a row to the body POST /v2/tokens takes', () => {
    expect(toTokenCreate(draft('04A224B2', { label: 'X1', comment: 'desk', expiresAt: '2027-01-01T00:00:00.000Z' }))).toEqual({
      customerId: 1001,
      identifier: { type: 'rfid', uid: '04A224B2', label: 'X1' },
      isActive: true,
      roamingEnabled: true,
      priorityChargingEnabled: false,
      expiresAt: '2027-01-01T00:00:00.000Z',
      comment: 'desk',
    });
  });

  it('holds new tokens while a hold period is set', () => {
    const now = new Date('2026-11-22T10:00:00.000Z');
    queue = new TokenQueue(db, { holdMinutes: () => 15, now: () => now });
    const t = queue.add(draft('04000001'));
    expect(t).toMatchObject({ state: 'held', holdUntil: '2026-11-22T10:15:00.000Z' });
    queue.markChecked([t.id]);
    expect(queue.claimPending(10, 'a')).toEqual([]);
    expect(queue.due(0)).toEqual({ ready: false, nextAt: Date.parse('2026-11-22T10:15:00.000Z') });
  });

  it('edits a token only while it exists only here; a rejected one goes back to pending', () => {
    const a = queue.add(draft('04000001', { label: 'A1' }));
    expect(queue.edit(a.id, { label: 'A2', customerId: 1002, comment: 'fixed' })).toMatchObject({ state: 'pending', label: 'A2', customerId: 1002, comment: 'fixed' });
    queue.markRejected([a.id], 'customerId: customer 1002 not found');
    expect(queue.edit(a.id, { customerId: 1001 })).toMatchObject({ state: 'pending', customerId: 1001, lastError: null, spiriiCheckedAt: null });
    expect(() => queue.edit(a.id, { comment: 'x'.repeat(101) })).toThrow(/comment: at most 100 characters/);
    expect(() => queue.edit(a.id, { validFrom: '2027-01-02T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' })).toThrow(/expiresAt: must be after validFrom/);

    for (const [state, why] of [
      ['sending', /being sent to Spirii right now/],
      ['synced', /already in Spirii \(token 77\)/],
      ['in_doubt', /may already be in Spirii/],
    ] as const) {
      const t = queue.add(draft(`0400001${state.length}`));
      if (state === 'synced') queue.markSynced([{ id: t.id, spiriiId: 77 }]);
      else if (state === 'in_doubt') queue.markInDoubt([t.id], 'no answer');
      else {
        queue.markChecked([t.id]);
        queue.claimPending(10, 'x');
      }
      expect(() => queue.edit(t.id, { label: 'NEW' })).toThrow(QueueActionError);
      expect(() => queue.edit(t.id, { label: 'NEW' })).toThrow(why);
      expect(() => queue.discard(t.id)).toThrow(why);
      expect(queue.get(t.id)!.label).toBeNull();
    }
    expect(() => queue.edit(9999, { label: 'X' })).toThrow(/no queued token 9999/);
  });

  it('discards a token that exists only here, keeps it as history, and lets its card be tapped again', () => {
    const seen: string[] = [];
    queue.onChange((tokens) => seen.push(...tokens.map((t) => t.state)));
    const a = queue.add(draft('04000001', { label: 'A1' }));
    expect(queue.discard(a.id)).toMatchObject({ id: a.id, state: 'discarded' });
    expect(seen).toEqual(['pending', 'discarded']);
    expect(queue.list()).toEqual([]);
    expect(queue.list({ states: ['discarded'] })).toHaveLength(1);
    expect(queue.add(draft('04000001', { label: 'A1-again' }))).toMatchObject({ state: 'pending', label: 'A1-again' });
    expect(() => queue.discard(a.id)).toThrow(/it was discarded/);
  });

  it('retries rejected tokens (checked afresh) and releases held ones, given ids or all', () => {
    const [a, b, c] = ['04000001', '04000002', '04000003'].map((uid) => queue.add(draft(uid)));
    queue.markConflict([{ id: a!.id, place: { spiriiId: 5, customerId: 2, label: null }, message: 'Already in Spirii' }], ['pending']);
    queue.markRejected([b!.id], 'bad');
    expect(queue.get(a!.id)).toMatchObject({ state: 'rejected', conflict: { spiriiId: 5, customerId: 2, label: null } });
    expect(queue.retry([b!.id]).map((t) => t.id)).toEqual([b!.id]);
    expect(queue.retry().map((t) => [t.id, t.state, t.conflict, t.spiriiCheckedAt])).toEqual([[a!.id, 'pending', null, null]]);
    expect(queue.retry([c!.id])).toEqual([]); // pending: nothing to retry

    queue = new TokenQueue(db, { holdMinutes: () => 30 });
    const [d, e] = ['04000004', '04000005'].map((uid) => queue.add(draft(uid)));
    expect(queue.release([d!.id]).map((t) => [t.id, t.state, t.holdUntil])).toEqual([[d!.id, 'pending', null]]);
    expect(queue.release().map((t) => t.id)).toEqual([e!.id]);
  });

  it('keeps a detail the window can word next to each last error, and drops it with the error', () => {
    const [a, b, c] = ['04000011', '04000012', '04000013'].map((uid) => queue.add(draft(uid)));
    queue.markRejected([a!.id], 'Spirii refused this token: no such customer', { key: 'refused', params: { spirii: 'no such customer' } });
    const cause = { key: 'connection-failed', params: { host: 'api.example', reason: 'other side closed' } } as const;
    queue.markInDoubt([b!.id], 'Connection to api.example failed: other side closed: will check Spirii before sending again', { key: 'in-doubt', params: { cause } });
    queue.markChecked([c!.id]);
    expect(queue.claimPending(10, 'attempt-1').map((t) => t.id)).toEqual([c!.id]);
    queue.recoverInterrupted();
    // The English stays as it was; the detail says the same in data.
    expect(queue.get(a!.id)).toMatchObject({ lastError: 'Spirii refused this token: no such customer', lastErrorDetail: { key: 'refused', params: { spirii: 'no such customer' } } });
    expect(queue.get(b!.id)?.lastErrorDetail).toEqual({ key: 'in-doubt', params: { cause } });
    expect(queue.get(c!.id)).toMatchObject({ state: 'in_doubt', lastErrorDetail: { key: 'interrupted', params: {} } });
    expect(queue.retry([a!.id])[0]).toMatchObject({ lastError: null, lastErrorDetail: null });
    queue.markSynced([{ id: b!.id, spiriiId: 7 }]);
    expect(queue.get(b!.id)).toMatchObject({ lastError: null, lastErrorDetail: null });
    // A refused desk action says what and why in data too.
    queue.discard(a!.id);
    expect(() => queue.edit(a!.id, { label: 'X' })).toThrow(
      expect.objectContaining({ detail: { key: 'not-local-only', params: { uid: '04000011', action: 'edited', state: 'discarded', spiriiId: null } } }),
    );
  });

  it('searches by part of a UID or label, in any case', () => {
    queue.add(draft('04A224B2', { label: 'DK.ACME.0001' }));
    queue.add(draft('04B00001', { label: 'FJH-0002' }));
    expect(queue.list({ search: 'a224' }).map((t) => t.uid)).toEqual(['04A224B2']);
    expect(queue.list({ search: 'fjh' }).map((t) => t.uid)).toEqual(['04B00001']);
    expect(queue.list({ search: '%' })).toEqual([]);
  });
});
