/**
 * The jobs' table: every statement on `replacements` (a job read, listed, written, moved on one
 * state), the audit entry for each step and the listeners told of every change. The steps and
 * the desk's calls build on it, each in its file.
 */
import type { Db } from '../db/sqlite';
import type { AuditLog } from '../audit';
import type { Enrollment } from '../enrollment';
import { Listeners } from '../events';
import type { QueuedToken, TokenQueue } from '../queue';
import type { CardReport } from '../card';
import type { ChangeDesk } from '../changes/desk';
import type { QueuedChange } from '../changes/types';
import { OPEN_REPLACEMENT_STATES, type ReplacementState } from './states';
import { fromRow, type Replacement, type ReplacementRow } from './rows';

export interface ReplacementsDeps {
  queue: TokenQueue;
  enrollment: Pick<Enrollment, 'admit'>;
  audit: AuditLog;
  /** The deactivation is a queued change: queued, followed, and chosen for in a conflict. */
  changes: Pick<ChangeDesk, 'queueChanges' | 'get' | 'choose'>;
  /** Everything known about a card (the old one, found by UID or label). */
  identify: (query: string) => Promise<CardReport>;
  /** The API in use, written into the audit entries. */
  apiUrl: () => string;
}

export interface ReplacementsOptions {
  now?: () => Date;
  /** Told when a queued token should be sent (the sync worker's poke). */
  onQueued?: () => void;
}

/** A new job's columns, as `start()` writes them (it begins in `creating`). */
export interface NewReplacement {
  oldUid: string;
  oldSpiriiId: number;
  oldLabel: string | null;
  customerId: number;
  oldToken: string;
  expected: string;
  newUid: string;
  newLabel: string | null;
  newTokenId: number;
  comment: string;
  source: string;
  message: string;
  operator: string;
  at: string;
}

/** What a step may change in a job. */
export type ReplacementPatch = Partial<Pick<Replacement, 'state' | 'newSpiriiId' | 'expectedUpdatedAt' | 'changeId' | 'spiriiNow' | 'message'>>;

export class ReplacementStore {
  private readonly listeners = new Listeners<Replacement[]>();
  protected readonly now: () => Date;

  constructor(
    protected readonly db: Db,
    protected readonly deps: ReplacementsDeps,
    protected readonly options: ReplacementsOptions = {},
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

  /** The open job replacing this old card, if there is one (a card is replaced by one job at a time). */
  protected openFor(oldUid: string): { id: number } | undefined {
    return this.db.prepare(`SELECT id FROM replacements WHERE old_uid = ? AND state IN ('creating', 'rejected', 'deactivating', 'conflict')`).get(oldUid) as { id: number } | undefined;
  }

  /** Write a new job, in `creating`. */
  protected insert(job: NewReplacement): Replacement {
    const row = this.db
      .prepare(
        `INSERT INTO replacements (state, old_uid, old_spirii_id, old_label, customer_id, old_token, expected_updated_at, new_uid, new_label,
           new_token_id, deactivation_comment, source, message, operator, created_at, updated_at)
         VALUES ('creating', @oldUid, @oldSpiriiId, @oldLabel, @customerId, @oldToken, @expected, @newUid, @newLabel, @newTokenId, @comment, @source, @message, @operator, @at, @at)
         RETURNING *`,
      )
      .get(job) as ReplacementRow;
    return fromRow(row);
  }

  /** Write a job's next state, only if it is still in the state it was read in (another process may have moved it). */
  protected move(job: Replacement, from: ReplacementState, patch: ReplacementPatch): Replacement | null {
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
  protected record(job: Replacement, step: string): void {
    this.deps.audit.record(
      'replace',
      { job: job.id, step, state: job.state, oldUid: job.oldUid, oldLabel: job.oldLabel, newUid: job.newUid, newLabel: job.newLabel, customerId: job.customerId, message: job.message, api: this.deps.apiUrl() },
      job.oldUid,
    );
  }

  protected emit(): void {
    this.listeners.emit(this.list({ limit: 50 }));
  }
}
