// Replacing a lost card, against the sandbox over real HTTP and a real SQLite file: the happy path
// (the new token copies the old one's customer and settings, the old is deactivated naming the new
// card, only once the new one is in Spirii), the new card refused by the tap's admission rule, the
// new token rejected by Spirii (the old stays active), and the old token changed in Spirii meanwhile.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { ReplacementRefusedError } from '../../electron/core/replace';
import type { SpiriiToken } from '../../electron/core/token';
import { tempDir } from '../support/temp';

const OLD = '04A224B2C35D80';
const NEW = '04B335C3D46E91';

let dir: string;
let cleanup: () => void;
let sandbox: Sandbox;
let station: Station;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  sandbox = await startSandbox({ apiKey: 'replace-test', rateLimit: false, statePath: path.join(dir, 'sandbox-state.json') });
  station = await Station.create({
    dataDir: dir,
    api: { baseUrl: sandbox.url, apiKey: 'replace-test' },
    readers: { simulated: true, pcsc: false },
    sync: { autoStart: false },
  });
  station.preferences.update({ operatorName: 'Mette' });
});

afterEach(async () => {
  await station.close();
  await sandbox.close();
  cleanup();
});

/** The old card, enrolled and in Spirii with settings of its own. */
async function oldCardInSpirii(): Promise<SpiriiToken> {
  const outcome = station.enrollment.tap(OLD, 'cli', { label: 'DK.ACME.0001', customerId: 1002 });
  expect(outcome.status).toBe('queued');
  await station.sync.settle(20_000);
  const token = sandbox.tokens().find((t) => t.identifier.uid === OLD)!;
  // Settings the session's defaults do not have, so a copy is seen to come from the old token.
  return station.client.patchToken(token.id, { expiresAt: '2031-06-30T00:00:00.000Z', roamingEnabled: false, priorityChargingEnabled: false, billingReference: 'PO-77', comment: 'Van 12' });
}

function inSpirii(uid: string): SpiriiToken[] {
  return sandbox.tokens().filter((t) => t.identifier.uid === uid);
}

function runToEnd() {
  return station.replacements.settle(station.sync, 20_000);
}

describe('replace a lost card', () => {
  it('creates the new token with the old one’s customer and settings, then deactivates the old one naming the new card', async () => {
    const old = await oldCardInSpirii();
    const job = await station.replacements.replace(OLD, NEW, 'DK.ACME.0002', 'cli');
    expect(job).toMatchObject({ state: 'creating', oldUid: OLD, oldSpiriiId: old.id, newUid: NEW, newLabel: 'DK.ACME.0002', customerId: 1002, operator: 'Mette' });
    // Nothing is deactivated before the new token exists in Spirii.
    await station.replacements.advance();
    expect(inSpirii(OLD)[0]!.isActive).toBe(true);
    expect(inSpirii(NEW)).toHaveLength(0);
    expect(station.queue.get(job.newTokenId)).toMatchObject({ uid: NEW, customerId: 1002, label: 'DK.ACME.0002', expiresAt: '2031-06-30T00:00:00.000Z', roamingEnabled: false, priorityChargingEnabled: false, billingReference: 'PO-77', comment: 'Van 12', isActive: true });

    expect(await runToEnd()).toEqual([]);
    const [created] = inSpirii(NEW);
    expect(created).toMatchObject({ customerId: 1002, isActive: true, roamingEnabled: false, priorityChargingEnabled: false, billingReference: 'PO-77', expiresAt: '2031-06-30T00:00:00.000Z', identifier: { label: 'DK.ACME.0002' } });
    expect(inSpirii(OLD)[0]).toMatchObject({ isActive: false, comment: 'Replaced by card DK.ACME.0002 / 04B335C3D46E91' });
    expect(station.replacements.get(job.id)).toMatchObject({ state: 'done', newSpiriiId: created!.id });

    // Audited with the operator, step by step, under the old card; the new card's enrollment under the new one.
    const steps = station.audit.about(OLD).filter((e) => e.action === 'replace');
    expect(steps.map((e) => [e.details.step, e.operator])).toEqual([
      ['done', 'Mette'],
      ['new token in Spirii', 'Mette'],
      ['started', 'Mette'],
    ]);
    expect(station.audit.about(NEW).map((e) => [e.action, e.details.replaces])).toEqual([['enroll', OLD]]);
  });

  it('finds the old card by its label; offline, from what the desk last saw of it, and goes on when Spirii is back', async () => {
    await oldCardInSpirii();
    await station.taps.identify(OLD); // the desk sees the token as it is now
    const port = sandbox.port;
    await sandbox.close();
    const job = await station.replacements.replace('dk.acme.0001', NEW, null, 'cli');
    expect(job).toMatchObject({ state: 'creating', oldUid: OLD, newLabel: null, deactivationComment: `Replaced by card ${NEW}`, oldToken: { billingReference: 'PO-77' } });
    await station.sync.settle(1_000);
    expect(station.replacements.get(job.id)!.state).toBe('creating');

    // Spirii is back (the same tokens, on the same address).
    sandbox = await startSandbox({ apiKey: 'replace-test', rateLimit: false, statePath: path.join(dir, 'sandbox-state.json'), port });
    expect(inSpirii(OLD)[0]!.isActive).toBe(true);
    await runToEnd();
    expect(station.replacements.get(job.id)!.state).toBe('done');
    expect(inSpirii(OLD)[0]).toMatchObject({ isActive: false, comment: `Replaced by card ${NEW}` });
    expect(inSpirii(NEW)[0]).toMatchObject({ isActive: true, billingReference: 'PO-77', customerId: 1002 });
  });

  it('the CLI\'s wait for a replacement keeps its time limit when the wall clock is set back', async () => {
    await oldCardInSpirii();
    await station.replacements.replace(OLD, NEW, null, 'cli');
    // A stand-in for the sync worker that records how long each round is given (and sends nothing).
    const given: number[] = [];
    const realNow = Date.now.bind(Date);
    const sync = {
      settle: async (ms: number) => {
        given.push(ms);
        vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
      },
    };
    try {
      await station.replacements.settle(sync, 1_000);
    } finally {
      vi.restoreAllMocks();
    }
    expect(given.length).toBeGreaterThan(1);
    for (const ms of given) expect(ms).toBeLessThanOrEqual(1_000);
  });

  it('refuses what a tap refuses, and queues nothing: a card already queued, a label on another card, the old card itself, a second job', async () => {
    await oldCardInSpirii();
    const rows = () => station.queue.list().length;
    const before = rows();
    await expect(station.replacements.replace(OLD, OLD, null, 'cli')).rejects.toMatchObject({ reason: 'same-card' });
    await expect(station.replacements.replace(OLD, NEW, 'DK.ACME.0001', 'cli')).rejects.toMatchObject({ reason: 'new-refused', outcome: { reason: 'label-used' } });
    await expect(station.replacements.replace(OLD, '08A1B2C3', null, 'cli')).rejects.toMatchObject({ reason: 'new-refused', outcome: { reason: 'random-uid' } });
    await expect(station.replacements.replace('04FFEEDDCCBBAA', NEW, null, 'cli')).rejects.toBeInstanceOf(ReplacementRefusedError);
    expect(rows()).toBe(before);
    expect(station.replacements.list()).toEqual([]);

    await station.replacements.replace(OLD, NEW, null, 'cli');
    await expect(station.replacements.replace(OLD, '04C446D4E57FA2', null, 'cli')).rejects.toMatchObject({ reason: 'already-replacing' });
    // The new card is now queued: another replacement cannot take it.
    station.enrollment.tap('04D557E5F68AB3', 'cli', { label: 'X', customerId: 1001 });
    await station.sync.settle(20_000);
    await expect(station.replacements.replace('04D557E5F68AB3', NEW, null, 'cli')).rejects.toMatchObject({ reason: 'new-refused', outcome: { reason: 'duplicate' } });
  });

  it('a new token Spirii rejects leaves the old card active, and the job says so; discarded, the job has failed', async () => {
    await oldCardInSpirii();
    // Another desk enrolled the new card meanwhile: the pre-send check rejects the desk's token.
    await station.client.createTokens([{ customerId: 1001, identifier: { type: 'rfid', uid: NEW, label: 'ELSEWHERE' } }]);
    const job = await station.replacements.replace(OLD, NEW, 'DK.ACME.0002', 'cli');
    await runToEnd();
    const rejected = station.replacements.get(job.id)!;
    expect(rejected.state).toBe('rejected');
    expect(rejected.message).toContain(`Card ${OLD} stays active`);
    expect(inSpirii(OLD)[0]!.isActive).toBe(true);
    expect(station.audit.about(OLD).map((e) => e.details.step)).toContain('new token rejected');

    station.queue.discard(job.newTokenId);
    await runToEnd();
    expect(station.replacements.get(job.id)).toMatchObject({ state: 'failed' });
    expect(inSpirii(OLD)[0]!.isActive).toBe(true);
    // The card may be replaced again, by another new card.
    await expect(station.replacements.replace(OLD, '04C446D4E57FA2', null, 'cli')).resolves.toMatchObject({ state: 'creating' });
  });

  it('an old token changed in Spirii since the desk read it is not overwritten: both are shown, and it is deactivated only when the clerk says so', async () => {
    const old = await oldCardInSpirii();
    const job = await station.replacements.replace(OLD, NEW, null, 'cli');
    // Someone changes the old token in Spirii before the new one is there.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const changed = await station.client.patchToken(old.id, { billingReference: 'PO-88' });
    await runToEnd();
    const conflict = station.replacements.get(job.id)!;
    expect(conflict).toMatchObject({ state: 'conflict', oldToken: { billingReference: 'PO-77' }, spiriiNow: { billingReference: 'PO-88', isActive: true, updatedAt: changed.updatedAt } });
    expect(inSpirii(OLD)[0]).toMatchObject({ isActive: true, billingReference: 'PO-88' });
    expect(inSpirii(NEW)[0]!.isActive).toBe(true);

    station.replacements.deactivateAnyway(job.id);
    await runToEnd();
    expect(station.replacements.get(job.id)!.state).toBe('done');
    expect(inSpirii(OLD)[0]).toMatchObject({ isActive: false, billingReference: 'PO-88', comment: `Replaced by card ${NEW}` });
    expect(station.audit.about(OLD).filter((e) => e.action === 'replace').map((e) => e.details.step)).toEqual(['done', 'deactivate anyway', 'old token changed in Spirii', 'new token in Spirii', 'started']);
  });

  it('an old token someone already deactivated in Spirii is left as it is: done, saying so', async () => {
    const old = await oldCardInSpirii();
    const job = await station.replacements.replace(OLD, NEW, null, 'cli');
    await station.client.patchToken(old.id, { isActive: false, comment: 'Blocked by phone' });
    await runToEnd();
    expect(station.replacements.get(job.id)).toMatchObject({ state: 'done' });
    expect(station.replacements.get(job.id)!.message).toContain('already deactivated');
    expect(inSpirii(OLD)[0]).toMatchObject({ isActive: false, comment: 'Blocked by phone' });
  });

  it('the replace mode of the tap router names the new card and queues nothing', async () => {
    await oldCardInSpirii();
    const seen: string[] = [];
    station.events.on('replacementCard', (card) => seen.push(card.uid));
    const rows = station.queue.list().length;
    station.taps.setMode('replace');
    expect(station.simulateReplacementTap(NEW)).toEqual({ uid: NEW, source: 'simulated:Simulated reader' });
    expect(seen).toEqual([NEW]);
    expect(station.queue.list()).toHaveLength(rows);
    expect(() => station.simulateTap(NEW)).toThrow();
  });
});
