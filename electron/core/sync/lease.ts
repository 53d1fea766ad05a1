/**
 * The sync lease: one process at a time sends a data folder's queue, and a pass holds it so.
 * The app and the CLI share one data folder. If both sent its queue at once, one could look up a
 * token the other is still sending, find nothing, and send it again: a token created twice. So
 * only the holder of this lease (one row in SQLite) sends. The lease lapses when its holder stops
 * renewing it, or at once when the holding process is gone (killed, crashed).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/sqlite';
import { Wait } from './wait';

export type LeaseResult = 'acquired' | 'renewed' | 'busy';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SyncLease {
  readonly holder = randomUUID();

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly isAlive: (pid: number) => boolean = processAlive,
  ) {}

  /** Take or extend the lease; 'busy' while another live process holds it. */
  acquire(): LeaseResult {
    return this.db.transaction((): LeaseResult => {
      const row = this.db.prepare('SELECT holder, pid, expires_at FROM sync_lease WHERE id = 1').get() as
        | { holder: string; pid: number; expires_at: number }
        | undefined;
      const mine = row?.holder === this.holder;
      const free = !row || mine || row.expires_at <= this.now() || (row.pid !== process.pid && !this.isAlive(row.pid));
      if (!free) return 'busy';
      this.db
        .prepare(
          `INSERT INTO sync_lease (id, holder, pid, expires_at) VALUES (1, @holder, @pid, @expires)
           ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, expires_at = excluded.expires_at`,
        )
        .run({ holder: this.holder, pid: process.pid, expires: this.now() + this.ttlMs });
      return mine ? 'renewed' : 'acquired';
    }).immediate();
  }

  release(): void {
    this.db.prepare('DELETE FROM sync_lease WHERE id = 1 AND holder = ?').run(this.holder);
  }

  /** Who holds it, for the status line. */
  heldElsewhere(): { pid: number } | null {
    const row = this.db.prepare('SELECT holder, pid, expires_at FROM sync_lease WHERE id = 1').get() as
      | { holder: string; pid: number; expires_at: number }
      | undefined;
    if (!row || row.holder === this.holder || row.expires_at <= this.now()) return null;
    return { pid: row.pid };
  }
}

/**
 * The lease as a sync pass holds it: taken before every step that changes something, renewed on a
 * timer for as long as the pass runs (whatever it waits for), and once found taken, lost for the
 * rest of the pass, so that its late answers change nothing. A new holder first hands `recover`
 * the rows a dead sender left "sending".
 */
export class PassLease {
  /** Set when a renewal found the lease taken: the pass stops at its next step. */
  private lost = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly lease: SyncLease,
    private readonly ttlMs: number,
    private readonly recover: () => void,
  ) {}

  /** At the start of a pass: hold the lease, then renew it on a timer until end(). */
  begin(): void {
    this.lost = false;
    this.hold();
    // Renewed on a timer whatever the pass waits for (a slow lookup, a rate-limit window, a backoff).
    this.heartbeat = setInterval(() => this.renew(), Math.max(10, Math.floor(this.ttlMs / 3)));
  }

  end(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Only the lease holder sends; a new holder first turns rows a dead sender left "sending" into "in doubt". */
  hold(): void {
    if (this.lost) throw this.elsewhere();
    const result = this.lease.acquire();
    if (result === 'busy') {
      this.lost = true;
      throw this.elsewhere();
    }
    if (result === 'acquired') this.recover();
  }

  /** Before a state change after an answer: stop if a renewal found the lease taken. */
  require(): void {
    if (this.lost) throw this.elsewhere();
  }

  /** After a pass failed unexpectedly: rows it left "sending" are recovered, unless another process holds the lease. */
  recoverUnlessBusy(): void {
    if (this.lease.acquire() !== 'busy') this.recover();
  }

  release(): void {
    this.lease.release();
  }

  /** The timer's renewal: a lease found taken stops the pass at its next step (its late answers change nothing). */
  private renew(): void {
    try {
      const result = this.lease.acquire();
      if (result === 'renewed') return;
      this.lost = true;
      // Another process held it meanwhile and is gone: what it left "sending" may have reached Spirii.
      if (result === 'acquired') this.recover();
    } catch {
      // The database is busy or failing: the next renewal, or the next step's, tries again.
    }
  }

  private elsewhere(): Wait {
    const other = this.lease.heldElsewhere();
    return new Wait(
      'elsewhere',
      5_000,
      `Another Token Station${other ? ` (process ${other.pid})` : ''} is sending this queue; waiting for it to finish`,
      { key: 'elsewhere', params: { pid: other?.pid ?? null } },
    );
  }
}
