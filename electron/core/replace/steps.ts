/**
 * The steps `advance()` takes for each open job: the new token's queue row and then the
 * deactivation's queued change decide where the job goes next. Each step is written before the
 * next is taken, and only if the job is still where it was read (another process may have moved it).
 */
import type { SpiriiToken } from '../token';
import type { ChangeSource, QueuedChange } from '../changes/types';
import type { Replacement } from './rows';
import { ReplacementStore } from './store';

export class ReplacementSteps extends ReplacementStore {
  protected closed = false;

  /** One pass over the open jobs, oldest first. */
  protected async step(): Promise<void> {
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
  protected queueDeactivation(job: Replacement, basedOn: string | null, base: SpiriiToken | null): QueuedChange {
    const source: ChangeSource = job.source.startsWith('cli') ? `cli:replacement ${job.id}` : `window:replacement ${job.id}`;
    const { changes } = this.deps.changes.queueChanges(
      { isActive: false, comment: job.deactivationComment },
      [{ spiriiId: job.oldSpiriiId, uid: job.oldUid, label: job.oldLabel, basedOn, base }],
      source,
    );
    return changes[0]!;
  }
}
