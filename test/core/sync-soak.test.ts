/**
 * The soak test, over 5 seeds: 150 tokens and 8 kills each, a Spirii (the sandbox) that accepts duplicate
 * UIDs, so a double send shows up as two tokens instead of hiding behind a 409, and misbehaves on
 * purpose: answers lost after storing (10%), requests lost before (10%), 500 after storing (5%),
 * answers held past the client's timeout (5%), commits that land only after the client's timeout,
 * answered then (5%) or with the connection cut at once (5%), 429 with Retry-After (5%); every
 * request (lookups included) takes longer than the child's sync lease lasts. The syncing process
 * (the real core in a child) is killed with SIGKILL at random moments, many times, then run to the
 * end. Afterwards the sandbox holds every UID exactly once, the queue shows all synced, and every
 * local row's Spirii id matches. Then, over 2 seeds, replacements of lost cards among creations, with
 * the same faults and kills: each ends done, the new card once in Spirii and active and the old one
 * inactive naming it (never two active, never none).
 *
 * Mixed into the creations: three queued changes to each of ten tokens already in Spirii (each a
 * comment of its own, so every PATCH that took effect is told apart in the sandbox's log), and,
 * between two kill rounds, two of those tokens changed in Spirii behind the desk's back. Afterwards
 * every change has been applied at most once and every synced one exactly once, in order per
 * token; nothing was applied to a token after it changed behind the desk's back (its next change
 * is a conflict, and those after it wait for the clerk's choice); the other tokens carry their
 * last change; nothing else is left pending, and nothing in doubt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { ChangeQueue } from '../../electron/core/changes/queue';
import type { SpiriiToken } from '../../electron/core/token';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { Station } from '../../electron/core/station';
import { Replacements, type Replacement } from '../../electron/core/replace';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';

const CHILD = path.resolve(import.meta.dirname, '..', 'support', 'sync-child.ts');
const KEY = 'soak-key';
const TOKENS = 150;
const KILLS = 8;
const SEEDS = 5;
/** Tokens in Spirii before the run, each changed three times by the desk; the first two also behind its back. */
const CHANGED = 10;
const CHANGES_EACH = 3;
const BEHIND = 2;

const FAULTS = {
  // Each request takes a while, so that the work spans many kill rounds.
  latencyMs: 120,
  dropAfterStore: 0.1,
  dropBeforeStore: 0.1,
  error5xxAfter: 0.05,
  slowAfterStore: 0.05,
  slowAnswerMs: 1_000, // past the child's 400 ms timeout
  // Committed 900 ms after arrival, past the child's 400 ms timeout, within its in-doubt
  // bound (400 ms + an 800 ms server margin).
  lateCommit: 0.05,
  lateCommitDrop: 0.05,
  lateCommitMs: 900,
  tooManyRequests: 0.05,
  retryAfterSeconds: 1,
};
const NO_FAULTS = { dropAfterStore: 0, dropBeforeStore: 0, error5xxAfter: 0, slowAfterStore: 0, lateCommit: 0, lateCommitDrop: 0, tooManyRequests: 0 };

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from the seed it prints. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Across the seeds: each seed's run is small, so that the faults and kills really happened is counted over all of them. */
const totals = { faults: 0, killedMidSend: 0, killedMidWork: 0, runs: 0, conflicts: 0 };

function startChild(dir: string, url: string): { child: ChildProcess; ready: Promise<void>; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, url, KEY, '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') resolve();
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before it was ready: ${stderr}`)));
  });
  ready.catch(() => {});
  return { child, ready, lines, exited };
}

const firstSeed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);

describe.each(Array.from({ length: SEEDS }, (_, i) => firstSeed + i))('sync soak: faults and SIGKILL, seed %i', (seed) => {
  let sandbox: Sandbox;
  let dir: string;
  let cleanup: () => void;
  const random = seeded(seed);
  let inSpirii: SpiriiToken[];

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('token-station-soak-'));
    sandbox = await startSandbox({
      apiKey: KEY,
      duplicateUids: 'accept',
      rateLimit: false,
      random: seeded(seed + 1),
      faults: FAULTS,
    });
    // Tokens another desk created, read by this desk before the run (their updatedAt is the base);
    // created while the sandbox behaves, then its faults are switched on.
    sandbox.setFaults(NO_FAULTS);
    const created = await fetch(`${sandbox.url}/v2/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: CHANGED }, (_, n) => ({ customerId: 1001, identifier: { type: 'rfid', uid: uidOf(10_000 + n), label: `OLD-${n}` } }))),
    });
    expect(created.status).toBe(201);
    sandbox.setFaults(FAULTS);
    inSpirii = sandbox.tokens().sort((a, b) => a.id - b.id);
    const db = openDatabase(dir);
    const queue = new TokenQueue(db);
    const changes = new ChangeQueue(db);
    db.transaction(() => {
      for (let n = 0; n < TOKENS; n++) {
        queue.add(tokenDraft(uidOf(n), { label: `SOAK-${n}`, customerId: 1001 + (n % 3), source: 'soak' }));
        // The changes are queued among the creations, in batches of their own.
        if (n % 15 === 0 && n / 15 < CHANGES_EACH) {
          const round = n / 15;
          for (const token of inSpirii) {
            const target = { spiriiId: token.id, uid: token.identifier.uid!, label: null, basedOn: token.updatedAt, base: token };
            changes.addBatch('cli', 'soak', { comment: `change ${token.id}-${round}`, isActive: round % 2 === 1 ? false : true }, [target]);
          }
        }
      }
    })();
    db.close();
  });

  afterAll(async () => {
    await sandbox?.close();
    cleanup?.();
  });

  it(`every UID exactly once in Spirii, all synced, ids matching, after ${KILLS} SIGKILLs (seed printed on failure)`, async () => {
    console.log(`soak seed ${seed} (SOAK_SEED=${seed} replays it and the next ${SEEDS - 1})`);
    let killedMidSend = 0;
    let killedMidWork = 0;
    const behindAt = 1 + Math.floor(random() * (KILLS - 2));
    const behind = new Map<number, number>();
    for (let round = 0; round < KILLS; round++) {
      if (round === behindAt) {
        // Someone changes two tokens in Spirii while no desk runs, once the killed child's late
        // commits (900 ms after arrival) have landed: every read after this sees the newer token.
        await new Promise((r) => setTimeout(r, 1_000));
        for (const token of inSpirii.slice(0, BEHIND)) {
          sandbox.changeToken(token.id, { comment: `behind the desk ${token.id}` });
          behind.set(token.id, sandbox.changeLog().length - 1);
        }
      }
      const run = startChild(dir, sandbox.url);
      await run.ready;
      // Up to past the in-doubt bound (1.2 s), so kills land in sends, lookups and waits alike.
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1_500)));
      run.child.kill('SIGKILL');
      await run.exited;
      const db = openDatabase(dir);
      const counts = new TokenQueue(db).counts();
      db.close();
      if (counts.sending > 0) killedMidSend++;
      if (counts.sending + counts.pending + counts.in_doubt > 0) killedMidWork++;
    }

    const final = startChild(dir, sandbox.url);
    const code = await final.exited;
    const summary = JSON.parse(final.lines.at(-1)!) as { phase: string; counts: Record<string, number> };
    expect(code, final.lines.join('\n')).toBe(0);
    expect(summary.counts).toMatchObject({ synced: TOKENS, pending: 0, sending: 0, in_doubt: 0, rejected: 0 });


    // Spirii holds every UID exactly once, and each local row names that token.
    const byUid = new Map<string, number[]>();
    const changedIds = new Set(inSpirii.map((t) => t.id));
    for (const token of sandbox.tokens().filter((t) => !changedIds.has(t.id))) byUid.set(token.identifier.uid!, [...(byUid.get(token.identifier.uid!) ?? []), token.id]);
    const db = openDatabase(dir);
    const rows = new TokenQueue(db).list();
    db.close();
    expect(rows).toHaveLength(TOKENS);
    const doubles = [...byUid].filter(([, ids]) => ids.length > 1);
    expect(doubles, `UIDs created more than once (seed ${seed})`).toEqual([]);
    expect(byUid.size).toBe(TOKENS);
    for (const row of rows) {
      expect(row.state, row.uid).toBe('synced');
      expect(byUid.get(row.uid), row.uid).toEqual([row.spiriiId]);
    }

    // The changes: none lost, each applied at most once (exactly once when synced), in order per
    // token, none after a change made behind the desk's back.
    const changeDb = openDatabase(dir);
    const queued = new ChangeQueue(changeDb).list({ limit: 10_000 });
    changeDb.close();
    expect(queued).toHaveLength(CHANGED * CHANGES_EACH);
    // Nothing on its way or in doubt; a change still pending only waits behind an earlier one of its token in conflict (the clerk's choice).
    const blocked = (c: (typeof queued)[number]) => queued.some((e) => e.spiriiId === c.spiriiId && e.id < c.id && e.state === 'conflict');
    expect(queued.filter((c) => c.state === 'sending' || c.state === 'in_doubt' || (c.state === 'pending' && !blocked(c))), 'changes left open').toEqual([]);
    const log = sandbox.changeLog();
    for (const token of inSpirii) {
      const mine = queued.filter((c) => c.spiriiId === token.id);
      const applied = log.map((entry, index) => ({ ...entry, index })).filter((e) => e.tokenId === token.id && e.by === 'api');
      const comments = applied.map((e) => e.patch.comment);
      expect(new Set(comments).size, `a change applied twice to token ${token.id} (seed ${seed})`).toBe(comments.length);
      const order = comments.map((comment) => mine.findIndex((c) => c.fields.comment === comment));
      expect(order, `changes to token ${token.id} out of order (seed ${seed})`).toEqual([...order].sort((a, b) => a - b));
      for (const change of mine.filter((c) => c.state === 'synced')) expect(comments, `synced change ${change.id} not in Spirii`).toContain(change.fields.comment);
      const behindIndex = behind.get(token.id);
      if (behindIndex !== undefined) {
        expect(applied.filter((e) => e.index > behindIndex), `applied over a newer change to token ${token.id} (seed ${seed})`).toEqual([]);
        expect(mine.every((c) => c.state === 'synced' || c.state === 'conflict' || c.state === 'pending')).toBe(true);
      } else {
        expect(mine.map((c) => c.state)).toEqual(Array(CHANGES_EACH).fill('synced'));
        expect(sandbox.tokens().find((t) => t.id === token.id)!.comment).toBe(mine.at(-1)!.fields.comment);
      }
    }
    totals.conflicts += queued.filter((c) => c.state === 'conflict').length;
    totals.faults += sandbox.stats.faultsInjected;
    totals.killedMidSend += killedMidSend;
    totals.killedMidWork += killedMidWork;
    totals.runs += 1;
    console.log(`soak: ${KILLS} kills (${killedMidWork} before the end, ${killedMidSend} mid-send), ${sandbox.stats.writeRequests} writes, ${sandbox.stats.readRequests} reads, ${sandbox.stats.faultsInjected} faults injected`);
  }, 180_000);
});

/** Cards in Spirii the desk replaces, among creations, per seed (a soak of their own, with the same faults and kills). */
const REPLACED = 6;
const REPLACEMENT_TOKENS = 30;
const REPLACEMENT_SEEDS = 2;

describe.each(Array.from({ length: REPLACEMENT_SEEDS }, (_, i) => firstSeed + 100 + i))('replacement soak: faults and SIGKILL, seed %i', (seed) => {
  let sandbox: Sandbox;
  let dir: string;
  let cleanup: () => void;
  const random = seeded(seed);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('token-station-replace-soak-'));
    sandbox = await startSandbox({ apiKey: KEY, duplicateUids: 'accept', rateLimit: false, random: seeded(seed + 1), faults: NO_FAULTS });
    const created = await fetch(`${sandbox.url}/v2/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: REPLACED }, (_, n) => ({ customerId: 1002, identifier: { type: 'rfid', uid: uidOf(20_000 + n), label: `LOST-${n}` }, billingReference: `PO-${n}` }))),
    });
    expect(created.status).toBe(201);
    const lost = sandbox.tokens();
    sandbox.setFaults(FAULTS);
    // Each job and its new card's token written by the real core, as the desk (or `token-station
    // replace`) does, from the old token as the desk read it, between creations. Nothing is sent here.
    const desk = await Station.create({ dataDir: dir, api: { baseUrl: sandbox.url, apiKey: KEY }, readers: { simulated: false, pcsc: false }, sync: { autoStart: false } });
    try {
      for (let n = 0; n < REPLACEMENT_TOKENS; n++) {
        desk.queue.add(tokenDraft(uidOf(n), { label: `SOAK-${n}`, customerId: 1001, source: 'soak' }));
        if (n % 5 === 0 && n / 5 < REPLACED) desk.replacements.start({ old: lost[n / 5]!, newUid: uidOf(30_000 + n / 5), label: `NEW-${n / 5}`, source: 'cli' });
      }
    } finally {
      await desk.close();
    }
  });

  afterAll(async () => {
    await sandbox?.close();
    cleanup?.();
  });

  it(`every replacement done with exactly one active card after ${KILLS} SIGKILLs (seed printed on failure)`, async () => {
    console.log(`replacement soak seed ${seed}`);
    for (let round = 0; round < KILLS; round++) {
      const run = startChild(dir, sandbox.url);
      await run.ready;
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1_500)));
      run.child.kill('SIGKILL');
      await run.exited;
      // After every kill: no old card inactive before its new card is in Spirii (never none).
      for (let n = 0; n < REPLACED; n++) {
        const old = sandbox.tokens().find((t) => t.identifier.uid === uidOf(20_000 + n))!;
        if (!old.isActive) expect(sandbox.tokens().some((t) => t.identifier.uid === uidOf(30_000 + n)), `card ${old.identifier.uid} inactive before its new card exists (seed ${seed})`).toBe(true);
      }
    }
    const final = startChild(dir, sandbox.url);
    expect(await final.exited, final.lines.join('\n')).toBe(0);

    const db = openDatabase(dir);
    // Only listed: the jobs are read from the database, no other part of the desk is needed.
    const jobs: Replacement[] = new Replacements(db, {} as never).list();
    const rows = new TokenQueue(db).list();
    db.close();
    expect(rows.filter((row) => row.state === 'synced')).toHaveLength(REPLACEMENT_TOKENS + REPLACED);
    expect(jobs).toHaveLength(REPLACED);
    for (const job of jobs) {
      const olds = sandbox.tokens().filter((t) => t.identifier.uid === job.oldUid);
      const news = sandbox.tokens().filter((t) => t.identifier.uid === job.newUid);
      expect({ job: job.id, state: job.state, message: job.message }).toMatchObject({ state: 'done' });
      expect(news, `new card of replacement ${job.id} created once (seed ${seed})`).toHaveLength(1);
      expect([...olds, ...news].filter((t) => t.isActive).map((t) => t.identifier.uid), `active cards of replacement ${job.id} (seed ${seed})`).toEqual([job.newUid]);
      expect(olds[0]!.comment).toBe(job.deactivationComment);
      expect(news[0]).toMatchObject({ customerId: 1002, billingReference: job.oldToken.billingReference, identifier: { label: job.newLabel } });
    }
    console.log(`replacement soak: ${KILLS} kills, ${sandbox.stats.writeRequests} writes, ${sandbox.stats.faultsInjected} faults injected`);
  }, 120_000);
});

describe('sync soak: over all seeds', () => {
  it('the faults and kills really happened', () => {
    expect(totals.runs).toBe(SEEDS);
    expect(totals.faults, 'faults injected').toBeGreaterThanOrEqual(5 * SEEDS);
    expect(totals.killedMidSend, 'kills that left a request in flight').toBeGreaterThanOrEqual(SEEDS);
    expect(totals.killedMidWork, 'kills before the work was done').toBeGreaterThanOrEqual((KILLS * SEEDS) / 2);
    expect(totals.conflicts, 'changes found in conflict after a change behind the desk').toBeGreaterThan(0);
  });
});
