import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, DATABASE_FILE, type Db } from '../../electron/core/db/sqlite';
import { DuplicateUidError, TokenQueue, toTokenCreate, type TokenDraft } from '../../electron/core/queue';
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
    const claimed = queue.claimPending(2, 'attempt-1');
    expect(claimed.map((t) => t.id)).toEqual(ids.slice(0, 2));
    expect(claimed.every((t) => t.state === 'sending' && t.attempts === 1)).toBe(true);
    expect(db.prepare(`SELECT DISTINCT attempt_id FROM tokens WHERE state = 'sending'`).pluck().all()).toEqual(['attempt-1']);
    expect(queue.counts()).toEqual({ pending: 1, sending: 2, synced: 0, rejected: 0, in_doubt: 0 });
  });

  it('after a crash, turns tokens left "sending" into "in doubt"', () => {
    queue.add(draft('04000001'));
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
});
