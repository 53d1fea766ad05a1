/**
 * The base of the queue: its table, its clock, its listeners, and every read of a row (by UID,
 * label, id, customer, source; a page of an export; the counts). The intake, the desk's actions and
 * the sync worker's steps build on it, each in its file.
 */
import type { Db } from '../db/sqlite';
import { Listeners } from '../events';
import { Where } from '../db/where';
import { LIVE_STATES, QUEUE_STATES, fromRow, type QueueCounts, type QueuedToken, type QueueListener, type QueueState, type TokenRow } from './rows';

export interface TokenQueueOptions {
  now?: () => Date;
  /** Minutes a new token is held before it may be sent; 0 (the default) sends at once. */
  holdMinutes?: () => number;
}

export interface ListOptions {
  limit?: number;
  offset?: number;
  states?: readonly QueueState[];
  /** Part of a UID or label, any case. */
  search?: string;
  /** Only this customer's tokens. */
  customerId?: number;
}

/** Which rows an export or a reconcile reads: by state, customer, and a search in UID and label (any case). */
export interface RowFilter {
  states?: readonly QueueState[];
  customerId?: number;
  search?: string;
}

const PAGE_ROWS = 2000;

function rowWhere(filter: RowFilter): Where {
  return new Where().oneOf('state', filter.states).equals('customer_id', filter.customerId).uidOrLabel(filter.search);
}

export class QueueReads {
  private readonly listeners = new Listeners<QueuedToken[]>();
  private readonly liveByUid;
  private readonly liveByLabel;
  private readonly byId;
  protected readonly now: () => Date;
  protected readonly holdMinutes: () => number;

  constructor(
    /** The database the queue lives in (the sync lease shares it). */
    readonly db: Db,
    /** Options, or (the older form) just the clock. */
    options: TokenQueueOptions | (() => Date) = {},
  ) {
    if (typeof options === 'function') options = { now: options };
    this.now = options.now ?? (() => new Date());
    this.holdMinutes = options.holdMinutes ?? (() => 0);
    this.liveByUid = db.prepare(`SELECT * FROM tokens WHERE uid = ? AND state <> 'discarded'`);
    this.liveByLabel = db.prepare(`SELECT * FROM tokens WHERE label = ? AND state <> 'discarded' ORDER BY id DESC LIMIT 1`);
    this.byId = db.prepare('SELECT * FROM tokens WHERE id = ?');
  }

  /** Subscribe to row changes; returns the unsubscribe function. */
  onChange(listener: QueueListener): () => void {
    return this.listeners.add(listener);
  }

  /**
   * The rows matching the filter, discarded ones included unless filtered out, oldest first, a
   * page at a time (an export or reconcile of 100,000 rows never holds them all, nor the
   * connection between pages); `count` is how many match in all.
   */
  async *pages(filter: RowFilter = {}): AsyncGenerator<{ rows: QueuedToken[]; count: number }> {
    const where = rowWhere(filter);
    const { n: count } = this.db.prepare(`SELECT count(*) AS n FROM tokens WHERE ${where.sql}`).get(where.params) as { n: number };
    const page = this.db.prepare(`SELECT * FROM tokens WHERE ${where.sql} AND id > @after ORDER BY id LIMIT ${PAGE_ROWS}`);
    let after = 0;
    for (;;) {
      const rows = page.all({ ...where.params, after }) as TokenRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield { rows: rows.map(fromRow), count };
      if (rows.length < PAGE_ROWS) return;
    }
  }

  /** The live (not discarded) row for this UID. */
  findByUid(uid: string): QueuedToken | undefined {
    const row = this.liveByUid.get(uid) as TokenRow | undefined;
    return row && fromRow(row);
  }

  /** The newest live (not discarded) row with exactly this label: a printed label belongs to one card. */
  findByLabel(label: string): QueuedToken | undefined {
    const row = this.liveByLabel.get(label) as TokenRow | undefined;
    return row && fromRow(row);
  }

  get(id: number): QueuedToken | undefined {
    const row = this.byId.get(id) as TokenRow | undefined;
    return row && fromRow(row);
  }

  /** Newest first; discarded rows only when asked for by state. */
  list(options: ListOptions = {}): QueuedToken[] {
    const states = options.states ?? LIVE_STATES;
    if (states.length === 0) return [];
    const where = new Where().oneOf('state', states).uidOrLabel(options.search?.trim()).equals('customer_id', options.customerId);
    const rows = this.db
      .prepare(`SELECT * FROM tokens WHERE ${where.sql} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...where.params, limit: options.limit ?? -1, offset: options.offset ?? 0 }) as TokenRow[];
    return rows.map(fromRow);
  }

  /** Every row this desk has had for a UID, discarded ones included, newest first: the card's history here. */
  history(uid: string): QueuedToken[] {
    return (this.db.prepare('SELECT * FROM tokens WHERE uid = ? ORDER BY id DESC LIMIT 100').all(uid) as TokenRow[]).map(fromRow);
  }

  /** Rows with exactly this label (any case), discarded ones included, newest first. */
  historyByLabel(label: string, limit = 20): QueuedToken[] {
    const text = label.trim();
    if (!text) return [];
    return (this.db.prepare('SELECT * FROM tokens WHERE label = ? COLLATE NOCASE ORDER BY id DESC LIMIT ?').all(text, limit) as TokenRow[]).map(fromRow);
  }

  /** A customer's rows (not discarded), oldest first: what the desk enrolled for them. */
  listByCustomer(customerId: number, limit = 20_000): QueuedToken[] {
    return (
      this.db.prepare(`SELECT * FROM tokens WHERE customer_id = ? AND state <> 'discarded' ORDER BY id LIMIT ?`).all(customerId, limit) as TokenRow[]
    ).map(fromRow);
  }

  /** The rows (not discarded) queued from one source, such as an import file (`import:<name>`), oldest first. */
  listBySource(source: string, limit = 20_000): QueuedToken[] {
    return (this.db.prepare(`SELECT * FROM tokens WHERE source = ? AND state <> 'discarded' ORDER BY id LIMIT ?`).all(source, limit) as TokenRow[]).map(fromRow);
  }

  /** The imports whose rows are still here (not discarded), newest first: each one's source, count and time. */
  importBatches(limit = 200): { source: string; count: number; firstAt: string; customerIds: number[] }[] {
    const rows = this.db
      .prepare(
        `SELECT source, count(*) AS count, min(created_at) AS firstAt, group_concat(DISTINCT customer_id) AS customers
         FROM tokens WHERE source LIKE 'import:%' AND state <> 'discarded' GROUP BY source ORDER BY max(id) DESC LIMIT ?`,
      )
      .all(limit) as { source: string; count: number; firstAt: string; customers: string }[];
    return rows.map((r) => ({ source: r.source, count: r.count, firstAt: r.firstAt, customerIds: r.customers.split(',').map(Number) }));
  }

  counts(): QueueCounts {
    const counts = Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as QueueCounts;
    for (const { state, n } of this.db.prepare('SELECT state, count(*) AS n FROM tokens GROUP BY state').all() as {
      state: QueueState;
      n: number;
    }[]) {
      counts[state] = n;
    }
    return counts;
  }

  protected updateEach(params: readonly object[], stmt: ReturnType<Db['prepare']>): void {
    const rows = this.db.transaction(() => params.map((p) => stmt.get(p) as TokenRow | undefined).filter((r): r is TokenRow => !!r))();
    this.emitRows(rows);
  }

  protected emitRows(rows: TokenRow[]): QueuedToken[] {
    const tokens = rows.map(fromRow);
    if (tokens.length > 0) this.emit(tokens);
    return tokens;
  }

  protected emit(tokens: QueuedToken[]): void {
    this.listeners.emit(tokens);
  }
}
