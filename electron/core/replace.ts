/**
 * Replace a lost card: the new card becomes a token with the old one's customer and settings (and
 * its own label), and the old token is deactivated, its comment naming the new card, only once
 * the new token exists in Spirii. One job per replacement, kept in the `replacements` table and
 * moved on by `advance()`; every step is written before it is taken, so a crash at any point
 * (SIGKILL included) resumes where it was:
 *
 *   creating (the new card's token is queued; the old card stays active)
 *     -> rejected (Spirii refused the new token: the old stays active; retried -> creating again)
 *     -> failed (the new token was discarded: nothing changed in Spirii, the old stays active)
 *     -> deactivating (the new token is in Spirii: the old one is being deactivated)
 *          -> conflict (the old token changed in Spirii since the desk read it: both are shown, the clerk chooses)
 *          -> done (the old token is inactive)
 *
 * The new token is an ordinary queued creation, admitted by the same rule as a tap (UID, label);
 * the job and the token are written in one transaction. The deactivation is an ordinary queued
 * change (changes/: `isActive: false` and the comment), queued in the same transaction as the job's
 * move to `deactivating` and sent by the sync worker: read back before it is sent again after an
 * unknown outcome, never applied over a newer change made in Spirii since the desk read the old
 * token (its `updatedAt`). This module sends nothing itself; it follows the token and the change.
 */
import type { Db } from './db/sqlite';
import type { AuditLog } from './audit';
import type { Enrollment, TapOutcome } from './enrollment';
import { Listeners } from './events';
import type { QueuedToken, TokenQueue } from './queue';
import type { SpiriiToken, TokenSettings } from './token';
import { TEXT_FIELD_MAX } from './token';
import { parseUid } from './uid';
import type { CardReport } from './card';
import type { ChangeDesk } from './changes/desk';
import type { ChangeSource, QueuedChange } from './changes/types';

export const REPLACEMENT_STATES = ['creating', 'rejected', 'deactivating', 'conflict', 'done', 'failed'] as const;
export type ReplacementState = (typeof REPLACEMENT_STATES)[number];

/** States in which a job still has something to do (or waits for the clerk). */
export const OPEN_REPLACEMENT_STATES = ['creating', 'rejected', 'deactivating', 'conflict'] as const satisfies readonly ReplacementState[];

/** One wording of each state, for the CLI, the log and the audit trail (the window words its own). */
export const REPLACEMENT_STATE_WORDS: Record<ReplacementState, string> = {
  creating: 'creating the new token',
  rejected: 'new token rejected',
  deactivating: 'deactivating the old token',
  conflict: 'old token changed in Spirii',
  done: 'done',
  failed: 'failed',
};

export interface Replacement {
  id: number;
  state: ReplacementState;
  oldUid: string;
  oldSpiriiId: number;
  oldLabel: string | null;
  customerId: number;
  /** The old token as the desk read it when the job was made. */
  oldToken: SpiriiToken;
  /** The old token's `updatedAt` the deactivation expects. */
  expectedUpdatedAt: string;
  newUid: string;
  newLabel: string | null;
  /** The new card's row in the queue. */
  newTokenId: number;
  newSpiriiId: number | null;
  /** What the old token's comment becomes. */
  deactivationComment: string;
  /** The queued change that deactivates the old token (null until the new token is in Spirii). */
  changeId: number | null;
  /** Where the replacement was asked for: "cli", "window". */
  source: string;
  /** The old token as Spirii holds it now, when it changed since the desk read it (state conflict). */
  spiriiNow: SpiriiToken | null;
  /** What the job is waiting for, or why it stopped, in English. */
  message: string | null;
  operator: string;
  createdAt: string;
  updatedAt: string;
}

/** Why a replacement was not started; nothing was queued. */
export type ReplacementRefusalReason = 'old-unknown' | 'old-inactive' | 'old-not-in-spirii' | 'same-card' | 'already-replacing' | 'new-refused';

export class ReplacementRefusedError extends Error {
  constructor(
    readonly reason: ReplacementRefusalReason,
    message: string,
    /** The tap's refusal, when the new card was refused by the queue's admission rule. */
    readonly outcome: TapOutcome | null = null,
  ) {
    super(message);
    this.name = 'ReplacementRefusedError';
  }
}

export class ReplacementActionError extends Error {
  override name = 'ReplacementActionError';
}

export interface ReplacementRequest {
  /** The old token as the desk knows it (from Spirii now, or what the desk last saw of it). */
  old: SpiriiToken;
  /** The new card's UID, in any format a tap or a terminal gives. */
  newUid: string;
  /** The new card's printed label (null: none). */
  label: string | null;
  /** Where the new card came from: a reader, "cli", the window. */
  source: string;
}

interface ReplacementRow {
  id: number;
  state: ReplacementState;
  old_uid: string;
  old_spirii_id: number;
  old_label: string | null;
  customer_id: number;
  old_token: string;
  expected_updated_at: string;
  new_uid: string;
  new_label: string | null;
  new_token_id: number;
  new_spirii_id: number | null;
  deactivation_comment: string;
  change_id: number | null;
  source: string;
  spirii_now: string | null;
  message: string | null;
  operator: string;
  created_at: string;
  updated_at: string;
}

function fromRow(row: ReplacementRow): Replacement {
  return {
    id: row.id,
    state: row.state,
    oldUid: row.old_uid,
    oldSpiriiId: row.old_spirii_id,
    oldLabel: row.old_label,
    customerId: row.customer_id,
    oldToken: JSON.parse(row.old_token) as SpiriiToken,
    expectedUpdatedAt: row.expected_updated_at,
    newUid: row.new_uid,
    newLabel: row.new_label,
    newTokenId: row.new_token_id,
    newSpiriiId: row.new_spirii_id,
    deactivationComment: row.deactivation_comment,
    changeId: row.change_id,
    source: row.source,
    spiriiNow: row.spirii_now === null ? null : (JSON.parse(row.spirii_now) as SpiriiToken),
    message: row.message,
    operator: row.operator,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The old token's comment once replaced: which card replaced it (label and UID), within Spirii's 100 characters. */
export function deactivationComment(newUid: string, newLabel: string | null): string {
  const text = newLabel ? `Replaced by card ${newLabel} / ${newUid}` : `Replaced by card ${newUid}`;
  return text.slice(0, TEXT_FIELD_MAX);
}

/** What the new token copies of the old one: validity, roaming, priority, billing reference, comment; it starts active. */
export function settingsFrom(old: SpiriiToken): TokenSettings {
  return {
    validFrom: old.validFrom ?? null,
    expiresAt: old.expiresAt,
    isActive: true,
    roamingEnabled: old.roamingEnabled,
    priorityChargingEnabled: old.priorityChargingEnabled,
    billingReference: old.billingReference,
    comment: old.comment,
  };
}

export interface ReplacementsOptions {
  now?: () => Date;
  /** Told when a queued token should be sent (the sync worker's poke). */
  onQueued?: () => void;
}

export class Replacements {
  private readonly listeners = new Listeners<Replacement[]>();
  private readonly now: () => Date;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly deps: {
      queue: TokenQueue;
      enrollment: Pick<Enrollment, 'admit'>;
      audit: AuditLog;
      /** The deactivation is a queued change: queued, followed, and chosen for in a conflict. */
      changes: Pick<ChangeDesk, 'queueChanges' | 'get' | 'choose'>;
      /** Everything known about a card (the old one, found by UID or label). */
      identify: (query: string) => Promise<CardReport>;
      /** The API in use, written into the audit entries. */
      apiUrl: () => string;
    },
    private readonly options: ReplacementsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  onChange(listener: (jobs: Replacement[]) => void): () => void {
    return this.listeners.add(listener);
  }

  get(id: number): Replacement | undefined {
    const row = this.db.prepare('SELECT * FROM replacements WHERE id = ?').get(id) as ReplacementRow | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  list(options: { states?: readonly ReplacementState[]; limit?: number } = {}): Replacement[] {
    const states = options.states ?? [];
    const where = states.length ? `WHERE state IN (${states.map(() => '?').join(',')})` : '';
    const rows = this.db.prepare(`SELECT * FROM replacements ${where} ORDER BY id DESC LIMIT ?`).all(...states, Math.min(Math.max(options.limit ?? 200, 1), 10_000)) as ReplacementRow[];
    return rows.map(fromRow);
  }

  open(): Replacement[] {
    return this.list({ states: OPEN_REPLACEMENT_STATES });
  }

  /** The job replacing this old card (or made for this new card), newest first. */
  forCard(uid: string): Replacement | undefined {
    const row = this.db.prepare('SELECT * FROM replacements WHERE old_uid = ? OR new_uid = ? ORDER BY id DESC LIMIT 1').get(uid, uid) as ReplacementRow | undefined;
    return row && fromRow(row);
  }

  /**
   * Find the old card (a UID or a label: Spirii now, or what this desk last saw of it) and start
   * its replacement. Refused when neither Spirii nor this desk's last sighting has an active token.
   */
  async replace(oldQuery: string, newUid: string, label: string | null, source: string): Promise<Replacement> {
    const report = await this.deps.identify(oldQuery);
    if (!report.spirii) {
      const local = report.queue;
      if (local) throw new ReplacementRefusedError('old-not-in-spirii', `Card ${local.uid} is not in Spirii yet (${local.state} here): it can be discarded or edited on the Queue screen instead`);
      throw new ReplacementRefusedError('old-unknown', `No token for ${oldQuery} is known in Spirii${report.problem ? ` (${report.problem})` : ''}`);
    }
    return this.start({ old: report.spirii, newUid, label, source });
  }

  /**
   * Start a replacement: the new card's token queued (the tap's admission rule, the old token's
   * customer and settings) and the job written, in one transaction. Nothing is sent here; the
   * sync worker sends the creation and `advance()` the deactivation.
   */
  start(request: ReplacementRequest): Replacement {
    const old = request.old;
    const oldUid = old.identifier.uid?.toUpperCase();
    if (!oldUid || old.identifier.type !== 'rfid') throw new ReplacementRefusedError('old-unknown', `Token ${old.id} is not an RFID card`);
    if (!old.isActive) throw new ReplacementRefusedError('old-inactive', `Card ${oldUid} is already inactive in Spirii: there is nothing to replace`);
    const parsed = parseUid(request.newUid);
    if (parsed.ok && parsed.uid === oldUid) throw new ReplacementRefusedError('same-card', `The new card is the old card (${oldUid}): tap the new one`);
    const operator = this.deps.audit.operator();
    const at = this.now().toISOString();
    const job = this.db.transaction(() => {
      const busy = this.db.prepare(`SELECT id FROM replacements WHERE old_uid = ? AND state IN ('creating', 'rejected', 'deactivating', 'conflict')`).get(oldUid) as { id: number } | undefined;
      if (busy) throw new ReplacementRefusedError('already-replacing', `Card ${oldUid} is already being replaced (job ${busy.id})`);
      const outcome = this.deps.enrollment.admit(request.newUid, request.source, { label: request.label, customerId: old.customerId, settings: settingsFrom(old) });
      if (outcome.status !== 'queued') {
        const message = outcome.status === 'refused' ? outcome.message : 'The new card was not queued';
        throw new ReplacementRefusedError('new-refused', `The new card was not queued: ${message}`, outcome);
      }
      const token = outcome.token;
      const row = this.db
        .prepare(
          `INSERT INTO replacements (state, old_uid, old_spirii_id, old_label, customer_id, old_token, expected_updated_at, new_uid, new_label,
             new_token_id, deactivation_comment, source, message, operator, created_at, updated_at)
           VALUES ('creating', @oldUid, @oldSpiriiId, @oldLabel, @customerId, @oldToken, @expected, @newUid, @newLabel, @newTokenId, @comment, @source, @message, @operator, @at, @at)
           RETURNING *`,
        )
        .get({
          oldUid,
          oldSpiriiId: old.id,
          oldLabel: old.identifier.label ?? null,
          customerId: old.customerId,
          oldToken: JSON.stringify(old),
          expected: old.updatedAt,
          newUid: token.uid,
          newLabel: token.label,
          newTokenId: token.id,
          comment: deactivationComment(token.uid, token.label),
          source: request.source,
          message: 'Waiting for the new token to reach Spirii; the old card stays active until then.',
          operator,
          at,
        }) as ReplacementRow;
      const created = fromRow(row);
      this.deps.audit.record('enroll', { tokenId: token.id, label: token.label, customerId: token.customerId, comment: token.comment, source: token.source, api: this.deps.apiUrl(), replaces: oldUid }, token.uid);
      this.record(created, 'started');
      return { created, token };
    })();
    this.deps.queue.announce([job.token]);
    this.emit();
    this.options.onQueued?.();
    this.schedule();
    return job.created;
  }

  /**
   * The clerk's answer to a conflict: deactivate the old token over Spirii's newer change (the
   * token as Spirii has it now becomes what the deactivation expects). The old token may not
   * simply be left active: the new one is active already.
   */
  deactivateAnyway(id: number): Replacement {
    const job = this.get(id);
    if (!job) throw new ReplacementActionError(`No replacement ${id}`);
    if (job.state !== 'conflict') throw new ReplacementActionError(`Replacement ${id} is ${REPLACEMENT_STATE_WORDS[job.state]}, not waiting for a choice`);
    const change = job.changeId === null ? undefined : this.deps.changes.get(job.changeId);
    const moved = this.db.transaction(() => {
      if (change?.state === 'conflict') {
        this.deps.changes.choose(change.id, 'apply-mine');
        return this.move(job, 'conflict', { state: 'deactivating', message: 'Deactivating the old token over the change made in Spirii.' });
      }
      // Refused or cancelled: a new change, based on the token as Spirii had it last (or, unknown, as read right before sending).
      const queued = this.queueDeactivation(job, job.spiriiNow?.updatedAt ?? null, job.spiriiNow);
      return this.move(job, 'conflict', { state: 'deactivating', changeId: queued.id, message: 'Deactivating the old token over the change made in Spirii.' });
    })();
    if (moved) this.record(moved, 'deactivate anyway');
    return moved ?? this.get(id)!;
  }

  /** Move every open job on as far as it can go now; one run at a time, another asked meanwhile runs after it. */
  advance(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.step();
        } while (this.again && !this.closed);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Send and follow until no job can move on without someone (a job waiting for the clerk, or for
   * Spirii to be reachable), or the time is up. For the CLI's `replace` and `sync`, which end when
   * their work is done: the sync worker sends the creation and then the deactivation.
   */
  async settle(sync: { settle(timeoutMs: number): Promise<unknown> }, timeoutMs: number): Promise<Replacement[]> {
    // Nothing to move on: return at once rather than wait for a sync that may be paused (a refused key).
    if (this.open().length === 0) return [];
    const until = Date.now() + timeoutMs;
    let before = '';
    for (;;) {
      await sync.settle(Math.max(0, until - Date.now()));
      await this.advance();
      const now = JSON.stringify(this.open().map((job) => [job.id, job.state, job.changeId]));
      if (now === before || this.open().every((job) => job.state === 'conflict') || Date.now() >= until || this.closed) return this.open();
      before = now;
    }
  }

  /** Ask for a run soon (a queue change, a sync pass). */
  schedule(delayMs = 0): void {
    if (this.closed) return;
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.advance().catch(() => {});
    }, delayMs);
    this.timer.unref?.();
  }

  /** Whether changes to tokens in Spirii concern an open job (its deactivation). */
  concernsChanges(changes: readonly QueuedChange[]): boolean {
    if (changes.length === 0) return false;
    const open = this.db.prepare(`SELECT change_id AS id FROM replacements WHERE state IN ('deactivating', 'conflict') AND change_id IS NOT NULL`).all() as { id: number }[];
    const ids = new Set(open.map((r) => r.id));
    return changes.some((c) => ids.has(c.id));
  }

  /** Whether a queue change concerns an open job (its new card's token). */
  concerns(tokens: readonly QueuedToken[]): boolean {
    if (tokens.length === 0) return false;
    const open = this.db.prepare(`SELECT new_token_id AS id FROM replacements WHERE state IN ('creating', 'rejected')`).all() as { id: number }[];
    if (open.length === 0) return false;
    const ids = new Set(open.map((r) => r.id));
    return tokens.some((t) => ids.has(t.id));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  private async step(): Promise<void> {
    for (const job of this.open().reverse()) {
      if (this.closed) return;
      if (job.state === 'creating' || job.state === 'rejected') this.followCreation(job);
      const current = this.get(job.id)!;
      if (current.state === 'deactivating' || current.state === 'conflict') this.followDeactivation(current);
    }
    await Promise.resolve();
  }

  /** The new token's queue row decides: in Spirii -> deactivate the old; rejected -> say so; discarded -> failed. */
  private followCreation(job: Replacement): void {
    const token = this.deps.queue.get(job.newTokenId);
    if (!token || token.state === 'discarded') {
      const moved = this.move(job, job.state, { state: 'failed', message: `The new card's token was discarded: nothing changed in Spirii, and card ${job.oldUid} stays active.` });
      if (moved) this.record(moved, 'failed');
    } else if (token.state === 'synced' && token.spiriiId !== null) {
      // The deactivation is queued with the job's move, in one transaction: a crash leaves neither or both.
      const moved = this.db.transaction(() => {
        const current = this.get(job.id);
        if (!current || current.state !== job.state) return null;
        const change = this.queueDeactivation(job, job.expectedUpdatedAt, job.oldToken);
        return this.move(job, job.state, { state: 'deactivating', newSpiriiId: token.spiriiId, changeId: change.id, message: `The new token is in Spirii (token ${token.spiriiId}); deactivating card ${job.oldUid}.` });
      })();
      if (moved) this.record(moved, 'new token in Spirii');
    } else if (token.state === 'rejected' && job.state !== 'rejected') {
      const moved = this.move(job, 'creating', {
        state: 'rejected',
        message: `Spirii refused the new card's token: ${token.lastError ?? 'no reason given'}. Card ${job.oldUid} stays active; fix and retry the new token on the Queue screen, or discard it.`,
      });
      if (moved) this.record(moved, 'new token rejected');
    } else if (token.state !== 'rejected' && job.state === 'rejected') {
      this.move(job, 'rejected', { state: 'creating', message: 'Waiting for the new token to reach Spirii; the old card stays active until then.' });
    }
  }

  /** The deactivation's change decides: in Spirii -> done; changed in Spirii meanwhile, refused or cancelled -> the clerk chooses. */
  private followDeactivation(job: Replacement): void {
    const change = job.changeId === null ? undefined : this.deps.changes.get(job.changeId);
    if (!change) return;
    const remote = change.remote;
    if (change.state === 'synced') {
      const moved = this.move(job, job.state, { state: 'done', message: `Card ${job.oldUid} is deactivated and card ${job.newUid} replaces it.` });
      if (moved) this.record(moved, 'done');
    } else if ((change.state === 'conflict' || change.state === 'discarded') && remote && !remote.isActive) {
      // Someone deactivated the old token in Spirii already: what the job wanted, so Spirii's version is kept.
      const moved = this.db.transaction(() => {
        if (change.state === 'conflict') this.deps.changes.choose(change.id, 'keep-spirii');
        return this.move(job, job.state, { state: 'done', spiriiNow: remote, message: `Card ${job.oldUid} was already deactivated in Spirii (not by this job); card ${job.newUid} replaces it.` });
      })();
      if (moved) this.record(moved, 'done');
    } else if (change.state === 'conflict' && job.state !== 'conflict') {
      const moved = this.move(job, 'deactivating', {
        state: 'conflict',
        spiriiNow: remote,
        message: `Card ${job.oldUid}'s token was changed in Spirii${remote ? ` (at ${remote.updatedAt})` : ''} since this desk read it (at ${job.expectedUpdatedAt}); it is still active. Compare the two, then deactivate it anyway.`,
      });
      if (moved) this.record(moved, 'old token changed in Spirii');
    } else if ((change.state === 'rejected' || change.state === 'discarded') && job.state !== 'conflict') {
      const why = change.state === 'rejected' ? `Spirii refused to deactivate card ${job.oldUid}: ${change.lastError ?? 'no reason given'}` : `The deactivation of card ${job.oldUid} was cancelled`;
      const moved = this.move(job, 'deactivating', { state: 'conflict', spiriiNow: remote, message: `${why}. It is still active beside card ${job.newUid}: deactivate it anyway.` });
      if (moved) this.record(moved, change.state === 'rejected' ? 'deactivation refused' : 'deactivation cancelled');
    } else if ((change.state === 'pending' || change.state === 'sending' || change.state === 'in_doubt') && job.state === 'conflict') {
      // The clerk chose "apply mine" for the change itself (the Queue screen's changes): the job follows.
      this.move(job, 'conflict', { state: 'deactivating', message: `Deactivating card ${job.oldUid} over the change made in Spirii.` });
    }
  }

  /** The old token's deactivation as a queued change, based on the token as the desk read it. */
  private queueDeactivation(job: Replacement, basedOn: string | null, base: SpiriiToken | null): QueuedChange {
    const source: ChangeSource = job.source.startsWith('cli') ? `cli:replacement ${job.id}` : `window:replacement ${job.id}`;
    const { changes } = this.deps.changes.queueChanges(
      { isActive: false, comment: job.deactivationComment },
      [{ spiriiId: job.oldSpiriiId, uid: job.oldUid, label: job.oldLabel, basedOn, base }],
      source,
    );
    return changes[0]!;
  }

  /** Write a job's next state, only if it is still in the state it was read in (another process may have moved it). */
  private move(
    job: Replacement,
    from: ReplacementState,
    patch: Partial<Pick<Replacement, 'state' | 'newSpiriiId' | 'expectedUpdatedAt' | 'changeId' | 'spiriiNow' | 'message'>>,
  ): Replacement | null {
    const next = { ...job, ...patch };
    const row = this.db
      .prepare(
        `UPDATE replacements SET state = @state, new_spirii_id = @newSpiriiId, expected_updated_at = @expected, change_id = @changeId,
           spirii_now = @spiriiNow, message = @message, updated_at = @at
         WHERE id = @id AND state = @from RETURNING *`,
      )
      .get({
        id: job.id,
        from,
        state: next.state,
        newSpiriiId: next.newSpiriiId,
        expected: next.expectedUpdatedAt,
        changeId: next.changeId,
        spiriiNow: next.spiriiNow === null ? null : JSON.stringify(next.spiriiNow),
        message: next.message,
        at: this.now().toISOString(),
      }) as ReplacementRow | undefined;
    if (!row) return null;
    this.emit();
    return fromRow(row);
  }

  /** One `replace` entry per step a job takes, with the operator (the audit log adds it) and both cards. */
  private record(job: Replacement, step: string): void {
    this.deps.audit.record(
      'replace',
      { job: job.id, step, state: job.state, oldUid: job.oldUid, oldLabel: job.oldLabel, newUid: job.newUid, newLabel: job.newLabel, customerId: job.customerId, message: job.message, api: this.deps.apiUrl() },
      job.oldUid,
    );
  }

  private emit(): void {
    this.listeners.emit(this.list({ limit: 50 }));
  }
}
