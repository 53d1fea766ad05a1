// `token-station change` and `changes` as a user runs them: real processes through pipes, a real
// SQLite file, the sandbox over real HTTP.
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/core/db/sqlite';
import { runCli } from '../support/cli';
import { useCliRig } from '../support/cli-rig';

const KEY = 'cli-change-key';
const rig = useCliRig(KEY);
let dir: string;
let env: NodeJS.ProcessEnv;
let sandboxUrl: string;
beforeEach(() => ({ dir, env, sandboxUrl } = rig));

async function spiriiToken(uid: string): Promise<Record<string, unknown>> {
  const page = (await (await fetch(`${sandboxUrl}/v2/tokens?search=${uid}`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { data: Record<string, unknown>[] };
  return page.data.find((t) => (t.identifier as { uid: string }).uid === uid)!;
}

async function enrolled(...uids: string[]): Promise<void> {
  for (const [i, uid] of uids.entries()) expect((await runCli(['add', '--uid', uid, '--customer', '1001', '--label', `CH.${dir.slice(-6)}.${i}`], env)).code).toBe(0);
  expect((await runCli(['sync'], env)).code).toBe(0);
}

describe('token-station change', () => {
  it('queues a change to a card, says the sync sends it, and sync sends it', async () => {
    const uid = `04C1${dir.slice(-4).toUpperCase().replace(/[^0-9A-F]/g, '0').padStart(4, '0')}000001`;
    await enrolled(uid);
    const change = await runCli(['change', '--uid', uid, '--active', 'false', '--expires', 'never', '--comment', 'Lost card', '--priority', 'false'], env);
    expect(change.code, change.stderr).toBe(0);
    expect(change.stdout).toMatch(/^Queued 1 change \(active false, expires never, priority false, comment "Lost card"\) as batch 1\. They are sent by the sync: run "token-station sync"\.\n$/);
    expect((await spiriiToken(uid)).isActive).toBe(true);

    const listed = await runCli(['changes', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ state: 'pending', uid, fields: { isActive: false, expiresAt: null, priorityChargingEnabled: false, comment: 'Lost card' } })]);

    const sync = await runCli(['sync'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^synced 1, .*\nchanges: synced 1, pending 0, in doubt 0, conflict 0, rejected 0\nstatus: online, up to date\n$/);
    expect(await spiriiToken(uid)).toMatchObject({ isActive: false, expiresAt: null, priorityChargingEnabled: false, comment: 'Lost card' });
    const table = await runCli(['changes'], env);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+UID\s+LABEL\s+SPIRII ID\s+BATCH\s+CHANGE\s+LAST ERROR\n1\s+synced\s+/);
    const audit = await runCli(['audit', '--action', 'change', '--json'], env);
    expect(JSON.parse(audit.stdout)).toEqual([expect.objectContaining({ action: 'change', subject: uid, details: expect.objectContaining({ step: 'queued' }) })]);
  });

  it('changes every row of a CSV file, reports the rows that name no token, and exits 1', async () => {
    const base = dir.slice(-4).toUpperCase().replace(/[^0-9A-F]/g, '0').padStart(4, '0');
    const uids = [1, 2, 3].map((n) => `04C2${base}00000${n}`);
    await enrolled(uids[0]!, uids[1]!);
    const file = path.join(dir, 'leavers.csv');
    fs.writeFileSync(file, `name;UID\nAnna;${uids[0]}\nBo;${uids[2]}\nCarl;${uids[1]!.toLowerCase()}\nDan;not-a-uid\n`);
    const change = await runCli(['change', '--file', file, '--active', 'false', '--json'], env);
    expect(change.code).toBe(1);
    const out = JSON.parse(change.stdout);
    expect(out).toMatchObject({ batch: 1, queued: 2, online: true, unresolved: [{ row: 3, uid: uids[2], reason: 'not-found' }] });
    expect(out.problems).toEqual([expect.stringMatching(/^Row 5: /)]);
    const text = await runCli(['change', '--file', file, '--roaming', 'false'], env);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`Row 3: Spirii has no token for card ${uids[2]}`);
    expect(text.stdout).toMatch(/^Queued 2 changes \(roaming false\) as batch 2\./);
    expect((await runCli(['sync'], env)).code).toBe(0);
    for (const uid of uids.slice(0, 2)) expect(await spiriiToken(uid)).toMatchObject({ isActive: false, roamingEnabled: false });
  });

  it('pauses, reports progress of and cancels a batch', async () => {
    const uid = `04C3${dir.slice(-4).toUpperCase().replace(/[^0-9A-F]/g, '0').padStart(4, '0')}000001`;
    await enrolled(uid);
    expect((await runCli(['change', '--uid', uid, '--billing-reference', 'Fleet 9'], env)).code).toBe(0);
    const paused = await runCli(['changes', 'pause', '--batch', '1'], env);
    expect(paused.stdout).toMatch(/^Batch 1 \(paused\): 0 of 1 done, 0 failed, 0 in conflict, 0 cancelled, 1 waiting; at least 1 s left at 120 writes a minute\.\n$/);
    // A paused batch waits on purpose: sync is done.
    expect((await runCli(['sync'], env)).code).toBe(0);
    expect((await spiriiToken(uid)).billingReference).toBeNull();
    const cancel = await runCli(['changes', 'cancel', '--batch', '1', '--json'], env);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ cancelled: 1, progress: { total: 1, cancelled: 1, waiting: 0 } });
    expect((await runCli(['changes', 'cancel', '--batch', '7'], env)).stderr).toBe('There is no batch of changes 7\n');
  });

  it.each([
    [['change', '--uid', '04A224B2C35D80'], /give at least one change/],
    [['change', '--active', 'false'], /name the token\(s\)/],
    [['change', '--uid', '04A224B2C35D80', '--label', 'X', '--active', 'false'], /give one of --uid, --label and --file/],
    [['change', '--uid', '04A224B2C35D80', '--active', 'maybe'], /--active must be true or false, got "maybe"/],
    [['change', '--uid', '04A224B2C35D80', '--expires', 'tomorrow'], /--expires must be a date such as 2026-12-31/],
    [['change', '--uid', '04A224B2C35D80', '--comment', 'a\u001b[2Jb'], /--comment must not contain control characters.*\\x1b/],
    [['change', '--uid', '04A224B2C35D80', '--comment', 'x'.repeat(101)], /--comment must be at most 100 characters/],
    [['change', '--uid', '04A224B2C35D80', '--customer', '0'], /--customer must be a positive integer/],
    [['change', '--uid', '04A224B2C35D80', '--active', 'false', '--active', 'true'], /--active is given more than once/],
    [['change', '--uid', '04A224B2C35D80', '--valid-from', '2027-01-01', '--expires', '2026-01-01'], /--expires must be after --valid-from/],
    [['change', '--file', '/no/such/file.csv', '--active', 'false'], /--file: cannot read/],
    [['changes', 'cancel'], /--batch is required/],
    [['changes', '--state', 'lost'], /--state must be one of/],
  ])('refuses %j in one line with exit 2, changing nothing', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    // Refused before anything was opened: not even the database exists.
    expect(fs.existsSync(path.join(dir, DATABASE_FILE))).toBe(false);
  });
});
