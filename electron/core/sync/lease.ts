/**
 * The app and the CLI share one data folder. If both sent its queue at once, one could look up a
 * token the other is still sending, find nothing, and send it again: a token created twice. So
 * only the holder of this lease (one row in SQLite) sends. The lease lapses when its holder stops
 * renewing it, or at once when the holding process is gone (killed, crashed).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/sqlite';

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
