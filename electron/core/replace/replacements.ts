/**
 * The desk's calls on replacements: start one (from a UID or label, or from the token the desk
 * read), the clerk's answer to a conflict, and the runs that move open jobs on (`advance`,
 * `schedule`, `settle` for the CLI). One run at a time; nothing is sent from here.
 */
import { performance } from 'node:perf_hooks';
import { REPLACEMENT_STATE_WORDS } from './states';
import type { Replacement } from './rows';
import { ReplacementActionError, ReplacementRefusedError, checkRequest, newCardRefused, oldTokenOf, type ReplacementRequest } from './refusals';
import { deactivationComment, settingsFrom } from './terms';
import { ReplacementSteps } from './steps';

export class Replacements extends ReplacementSteps {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;

  /**
   * Find the old card (a UID or a label: Spirii now, or what this desk last saw of it) and start
   * its replacement. Refused when neither Spirii nor this desk's last sighting has an active token.
   */
  async replace(oldQuery: string, newUid: string, label: string | null, source: string): Promise<Replacement> {
    const report = await this.deps.identify(oldQuery);
    return this.start({ old: oldTokenOf(report, oldQuery), newUid, label, source });
  }

  /**
   * Start a replacement: the new card's token queued (the tap's admission rule, the old token's
   * customer and settings) and the job written, in one transaction. Nothing is sent here; the
   * sync worker sends the creation and `advance()` the deactivation.
   */
  start(request: ReplacementRequest): Replacement {
    const old = request.old;
    const oldUid = checkRequest(request);
    const operator = this.deps.audit.operator();
    const at = this.now().toISOString();
    const job = this.db.transaction(() => {
      const busy = this.openFor(oldUid);
      if (busy) throw new ReplacementRefusedError('already-replacing', `Card ${oldUid} is already being replaced (job ${busy.id})`);
      const outcome = this.deps.enrollment.admit(request.newUid, request.source, { label: request.label, customerId: old.customerId, settings: settingsFrom(old) });
      if (outcome.status !== 'queued') throw newCardRefused(outcome);
      const token = outcome.token;
      const created = this.insert({
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
      });
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
    // A monotonic time limit: a wall clock set back must not stretch it.
    const until = performance.now() + timeoutMs;
    let before = '';
    for (;;) {
      await sync.settle(Math.max(0, until - performance.now()));
      await this.advance();
      const now = JSON.stringify(this.open().map((job) => [job.id, job.state, job.changeId]));
      if (now === before || this.open().every((job) => job.state === 'conflict') || performance.now() >= until || this.closed) return this.open();
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
