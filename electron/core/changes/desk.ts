/**
 * The desk's calls for changes to tokens in Spirii: queue a batch (from tokens the desk has read,
 * or from UIDs and labels, which are looked up first), follow its progress, pause, resume and
 * cancel it, and choose for a change in conflict. Everything is audited with the operator; the
 * sync worker sends what is queued (sync/changes.ts). The window, the CLI and the card replacement
 * use this, never the tables.
 */
import type { SpiriiToken, Page, TokenQuery } from '../token';
import type { AuditLog } from '../audit';
import type { QueuedToken } from '../queue';
import type { SeenToken } from '../spirii-seen';
import { ChangeActionError, type ChangeListOptions, type ChangeQueue } from './queue';
import { checkChangeFields, describeFields } from './fields';
import type {
  BatchProgress,
  ChangeBatch,
  ChangeCounts,
  ChangeSource,
  ChangeTarget,
  ConflictChoice,
  QueuedBatch,
  QueuedChange,
  TokenRef,
  UnresolvedRef,
} from './types';

/** Spirii's documented write limit: what the estimate assumes until Spirii's own header says otherwise. */
export const SPIRII_WRITES_PER_MINUTE = 120;

/** What the desk reads of Spirii to find the tokens a batch names. */
export interface ChangeLookupApi {
  lookupUids(uids: readonly string[]): Promise<Map<string, SpiriiToken[]>>;
  listTokens(query: TokenQuery): Promise<Page<SpiriiToken>>;
  readonly rateLimit: { readonly write?: { limit: number } };
}

export interface ChangeDeskOptions {
  queue: ChangeQueue;
  /** The creations' queue: a card this desk enrolled is found by its UID or label, and its Spirii id. */
  tokens: { findByUid(uid: string): QueuedToken | undefined; findByLabel(label: string): QueuedToken | undefined };
  /** What this desk last saw of Spirii (the base of a change made offline). */
  seen: { byUid(uid: string): SeenToken | undefined; byLabel(label: string): SeenToken[]; remember(tokens: readonly SpiriiToken[], absent?: readonly string[]): void };
  api: ChangeLookupApi;
  audit: Pick<AuditLog, 'record' | 'operator'>;
  /** The API in use, named in the audit entries. */
  apiUrl: () => string;
  /** New work for the sync worker. */
  onQueued: () => void;
  /** How long looking tokens up may take before the desk answers from what it last saw (default 10 s). */
  lookupTimeoutMs?: number;
}

/** Above this many labels a batch reads Spirii's whole RFID list (1,000 a page) instead of one search each. */
const LABEL_SEARCHES = 10;
const LIST_PAGE = 1000;

export class ChangeDesk {
  constructor(private readonly options: ChangeDeskOptions) {}

  /** Subscribe to changed rows (queued, sent, settled, cancelled). */
  onChange(listener: (changes: QueuedChange[]) => void): () => void {
    return this.options.queue.onChange(listener);
  }

  /**
   * Queue one batch for tokens the desk has read (the Tokens screen's rows, a card identified):
   * `fields` are checked first (InvalidChangeError, nothing queued), every target gets one change,
   * each audited. A token named twice is changed once.
   */
  queueChanges(input: Record<string, unknown>, targets: readonly ChangeTarget[], source: ChangeSource): QueuedBatch {
    const fields = checkChangeFields(input);
    const unique = [...new Map(targets.map((t) => [t.spiriiId, t])).values()];
    if (unique.length === 0) return { batch: null, changes: [], unresolved: [], online: false };
    const { audit, queue } = this.options;
    const { batch, changes } = queue.db.transaction(() => {
      const queued = queue.addBatch(source, audit.operator(), fields, unique);
      for (const change of queued.changes) {
        audit.record(
          'change',
          {
            step: 'queued',
            changeId: change.id,
            batchId: queued.batch.id,
            spiriiId: change.spiriiId,
            label: change.label,
            fields,
            change: describeFields(fields),
            basedOn: change.basedOn,
            source,
            api: this.options.apiUrl(),
          },
          change.uid ?? `token ${change.spiriiId}`,
        );
      }
      return queued;
    })();
    this.options.onQueued();
    return { batch, changes, unresolved: [], online: false };
  }

  /**
   * Queue one batch for tokens named by UID or label (the CLI's `change`, a file's rows): they are
   * looked up in Spirii first; offline, or when Spirii does not answer in time, from what this desk
   * last saw. References that name no token are reported in `unresolved`; the rest are queued.
   */
  async changeTokens(input: Record<string, unknown>, refs: readonly TokenRef[], source: ChangeSource): Promise<QueuedBatch> {
    checkChangeFields(input);
    const { targets, unresolved, online } = await this.resolve(refs);
    const queued = this.queueChanges(input, targets, source);
    return { ...queued, unresolved, online };
  }

  /** The tokens these references name, as Spirii has them now (or as this desk last saw them). */
  async resolve(refs: readonly TokenRef[]): Promise<{ targets: ChangeTarget[]; unresolved: UnresolvedRef[]; online: boolean }> {
    const uids = [...new Set(refs.flatMap((r) => (r.uid !== undefined ? [r.uid] : [])))];
    const labels = [...new Set(refs.flatMap((r) => (r.label !== undefined ? [r.label] : [])))];
    let remote: { byUid: Map<string, SpiriiToken[]>; byLabel: Map<string, SpiriiToken[]> } | null;
    try {
      remote = await this.withTimeout(this.readRemote(uids, labels));
    } catch {
      remote = null;
    }
    const targets: ChangeTarget[] = [];
    const unresolved: UnresolvedRef[] = [];
    for (const ref of refs) {
      const result = remote ? this.fromRemote(ref, remote) : this.fromLocal(ref);
      if ('reason' in result) unresolved.push(result);
      else targets.push(result);
    }
    return { targets, unresolved, online: remote !== null };
  }

  list(options: ChangeListOptions = {}): QueuedChange[] {
    return this.options.queue.list(options);
  }

  get(id: number): QueuedChange | undefined {
    return this.options.queue.get(id);
  }

  counts(): ChangeCounts {
    return this.options.queue.counts();
  }

  /** Changes the sync still has to send or settle (those of a paused batch wait on purpose and are not counted). */
  waiting(): number {
    return this.options.queue.waiting();
  }

  batches(limit?: number): ChangeBatch[] {
    return this.options.queue.batches(limit);
  }

  /** Spirii's write limit as last seen in its headers, or the documented 120 a minute. */
  get writesPerMinute(): number {
    const seen = this.options.api.rateLimit.write?.limit;
    return seen !== undefined && Number.isFinite(seen) && seen > 0 ? seen : SPIRII_WRITES_PER_MINUTE;
  }

  /** Progress of a batch: counts, changes sent in the last minute and the least time left at the write limit. */
  progress(batchId: number): BatchProgress {
    return this.options.queue.progress(batchId, this.writesPerMinute);
  }

  pause(batchId: number): BatchProgress {
    this.options.queue.setPaused(batchId, true);
    this.audit(batchId, 'paused', {});
    return this.progress(batchId);
  }

  resume(batchId: number): BatchProgress {
    this.options.queue.setPaused(batchId, false);
    this.audit(batchId, 'resumed', {});
    this.options.onQueued();
    return this.progress(batchId);
  }

  /** Cancel what of the batch has not been sent (pending, and in conflict); returns the changes cancelled. */
  cancel(batchId: number): QueuedChange[] {
    const cancelled = this.options.queue.cancel(batchId);
    this.audit(batchId, 'cancelled', { cancelled: cancelled.length, changeIds: cancelled.map((c) => c.id) });
    return cancelled;
  }

  /** The clerk's choice for a change in conflict: send it anyway over Spirii's version, or keep Spirii's. */
  choose(changeId: number, choice: ConflictChoice): QueuedChange {
    const change = this.options.queue.resolve(changeId, choice);
    this.options.audit.record(
      'change',
      { step: choice, changeId, batchId: change.batchId, spiriiId: change.spiriiId, spirii: change.remote, api: this.options.apiUrl() },
      change.uid ?? `token ${change.spiriiId}`,
    );
    if (choice === 'apply-mine') this.options.onQueued();
    return change;
  }

  private audit(batchId: number, step: string, details: Record<string, unknown>): void {
    const batch = this.options.queue.batch(batchId);
    if (!batch) throw new ChangeActionError(`There is no batch of changes ${batchId}`);
    this.options.audit.record('change', { step, batchId, ...details, api: this.options.apiUrl() }, `batch ${batchId}`);
  }

  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Spirii did not answer in time')), this.options.lookupTimeoutMs ?? 10_000))),
      ]);
    } finally {
      clearTimeout(timer);
      // A lookup that lost the race settles on its own; its failure is not an unhandled rejection.
      work.catch(() => {});
    }
  }

  private async readRemote(uids: string[], labels: string[]): Promise<{ byUid: Map<string, SpiriiToken[]>; byLabel: Map<string, SpiriiToken[]> }> {
    const { api } = this.options;
    const byLabel = new Map<string, SpiriiToken[]>();
    const add = (map: Map<string, SpiriiToken[]>, key: string, token: SpiriiToken) => map.set(key, [...(map.get(key) ?? []), token]);
    let byUid = new Map<string, SpiriiToken[]>();
    const wantedLabels = new Set(labels.map((l) => l.toLowerCase()));
    if (labels.length > LABEL_SEARCHES) {
      // Many labels: read Spirii's RFID list once, ascending ids so a token created meanwhile is not skipped.
      const wantedUids = new Set(uids);
      for (let offset = 0; ; ) {
        const page = await api.listTokens({ type: 'rfid', sortBy: 'id', sortDirection: 'asc', limit: LIST_PAGE, offset });
        for (const token of page.data) {
          const uid = token.identifier.uid?.toUpperCase();
          if (uid && wantedUids.has(uid)) add(byUid, uid, token);
          const label = token.identifier.label?.toLowerCase();
          if (label && wantedLabels.has(label)) add(byLabel, label, token);
        }
        offset += page.data.length;
        if (page.data.length === 0 || offset >= page.count) break;
      }
    } else {
      if (uids.length > 0) byUid = await api.lookupUids(uids);
      for (const label of labels) {
        const page = await api.listTokens({ search: label.slice(0, 50), type: 'rfid', limit: 100 });
        for (const token of page.data) if (token.identifier.label?.toLowerCase() === label.toLowerCase()) add(byLabel, label.toLowerCase(), token);
      }
    }
    const found = [...byUid.values(), ...byLabel.values()].flat();
    this.options.seen.remember(found, uids.filter((uid) => !byUid.has(uid)));
    return { byUid, byLabel };
  }

  private fromRemote(ref: TokenRef, remote: { byUid: Map<string, SpiriiToken[]>; byLabel: Map<string, SpiriiToken[]> }): ChangeTarget | UnresolvedRef {
    const tokens = ref.uid !== undefined ? (remote.byUid.get(ref.uid) ?? []) : (remote.byLabel.get(ref.label.toLowerCase()) ?? []);
    if (tokens.length > 1) {
      return { ref, reason: 'ambiguous', message: `${refText(ref)} names ${tokens.length} tokens in Spirii (${tokens.map((t) => t.id).join(', ')}): change them one by one` };
    }
    const token = tokens[0];
    if (!token) return this.notFound(ref, true);
    return targetOf(token);
  }

  /** Offline: the token as this desk last saw it, or the Spirii id of a card this desk enrolled (then no base). */
  private fromLocal(ref: TokenRef): ChangeTarget | UnresolvedRef {
    const { seen, tokens } = this.options;
    const sightings = ref.uid !== undefined ? [seen.byUid(ref.uid)].filter((s): s is SeenToken => !!s?.token) : seen.byLabel(ref.label).filter((s) => !!s.token);
    if (sightings.length > 1 && new Set(sightings.map((s) => s.token!.id)).size > 1) {
      return { ref, reason: 'ambiguous', message: `${refText(ref)} names more than one token this desk has seen in Spirii: change them one by one` };
    }
    if (sightings[0]?.token) return targetOf(sightings[0].token);
    const row = ref.uid !== undefined ? tokens.findByUid(ref.uid) : tokens.findByLabel(ref.label);
    if (row?.state === 'synced' && row.spiriiId !== null) return { spiriiId: row.spiriiId, uid: row.uid, label: row.label, basedOn: null, base: null };
    return this.notFound(ref, false);
  }

  private notFound(ref: TokenRef, online: boolean): UnresolvedRef {
    const row = ref.uid !== undefined ? this.options.tokens.findByUid(ref.uid) : this.options.tokens.findByLabel(ref.label);
    if (row && row.state !== 'synced' && row.state !== 'discarded') {
      return {
        ref,
        reason: 'not-in-spirii-yet',
        message: `${refText(ref)} is still in this desk's queue (${row.state}), not yet in Spirii: change it there (queue), or once it is synced`,
      };
    }
    return {
      ref,
      reason: 'not-found',
      message: online ? `Spirii has no token for ${refText(ref)}` : `${refText(ref)}: Spirii could not be asked, and this desk has never seen such a token`,
    };
  }
}

function refText(ref: TokenRef): string {
  return ref.uid !== undefined ? `card ${ref.uid}` : `label ${ref.label}`;
}

function targetOf(token: SpiriiToken): ChangeTarget {
  return { spiriiId: token.id, uid: token.identifier.uid?.toUpperCase() ?? null, label: token.identifier.label ?? null, basedOn: token.updatedAt ?? null, base: token };
}
