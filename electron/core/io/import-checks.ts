/**
 * The checks of a planned file against what already exists: the queue (its one rule for a UID and
 * a label, the same as a tap's), Spirii's customers and Spirii's tokens. Each marks the rows it
 * rules out, with the reason, in the plan itself.
 */
import type { TokenQueue } from '../queue';
import type { SpiriiClient } from '../api/client';
import { NetworkError } from '../api/errors';
import type { CustomerDirectory } from '../customers';
import type { DuplicateKind, ImportPlan, PlanRow, Problem, ProblemDetail } from './import-plan';
import { Cancelled, tokenPages, PAGE_SIZE } from './spirii-pages';
import type { FilesStep } from './shapes';

/** More requests than this to check a file against Spirii, and the check is left to the sync. */
export const MAX_SPIRII_REQUESTS = 300;
const LOOKUP_CONCURRENCY = 4;

/** The customer check of a preview: every row's customer, from the cache and then from Spirii. */
export interface CustomerCheck {
  state: 'checked' | 'offline' | 'skipped';
  /** Requests made to Spirii for it (0: all were cached). */
  requests: number;
  message: string | null;
}

export interface SpiriiCheck {
  state: 'checked' | 'offline' | 'skipped' | 'failed';
  message: string | null;
  /** Skipped for its size: the requests the check would have taken. */
  requests?: number;
  /** Offline or failed: the error as it came (a network's or Spirii's own text). */
  error?: string;
}

export interface CheckOptions {
  /** Check against Spirii (default true); false skips the customer check too. */
  checkSpirii?: boolean;
  signal?: AbortSignal;
  onProgress?: (phase: FilesStep, done: number, total: number) => void;
}

/** Hold back the rows whose card the queue will not take again, and mark those that replace a rejected token. */
export function markQueued(plan: ImportPlan, queue: Pick<TokenQueue, 'admissions'>): void {
  const ready = plan.rows.filter((r) => r.status === 'ready');
  const uidColumn = plan.columns.find((c) => c.field === 'uid')!.header;
  const labelColumn = plan.columns.find((c) => c.field === 'label')?.header ?? 'label';
  // The queue's one rule for a UID and its label, the same as a tap's.
  const admissions = queue.admissions(ready.map((r) => ({ uid: r.values.uid, label: r.values.label })));
  for (const row of ready) {
    const admission = admissions.get(row.values.uid);
    if (!admission) continue;
    if (admission.kind === 'replaces') {
      row.replaces = admission.id;
      continue;
    }
    const { existing } = admission;
    if (admission.kind === 'label-used') {
      // Not a duplicate of the card: the desk gives it another label and imports it again.
      markNotQueued(row, null, admission.message, plan.problems, labelColumn, { key: 'label-used', params: { label: admission.label, uid: existing.uid, state: existing.state, customerId: existing.customerId, spiriiId: existing.spiriiId } });
      continue;
    }
    markNotQueued(row, 'queue', admission.message, plan.problems, uidColumn, { key: 'in-queue', params: { uid: row.values.uid, state: existing.state, customerId: existing.customerId, label: existing.label } });
  }
  // One label on two cards of the file: which card has it cannot be told, so neither is queued
  // (as with a card the file gives twice with different data), and the queue never holds two.
  const byLabel = new Map<string, PlanRow[]>();
  for (const row of ready) {
    if (row.status !== 'ready' || row.values.label === null) continue;
    const rows = byLabel.get(row.values.label);
    if (rows) rows.push(row);
    else byLabel.set(row.values.label, [row]);
  }
  for (const [label, rows] of byLabel) {
    const first = rows[0]!;
    const second = rows.find((r) => r.values.uid !== first.values.uid);
    if (!second) continue;
    for (const row of rows) {
      const other = row.values.uid === first.values.uid ? second : first;
      const message = `Label ${label} is also on card ${other.values.uid} in row ${other.row}; neither row is queued`;
      markNotQueued(row, null, message, plan.problems, labelColumn, { key: 'label-repeated', params: { label, uid: other.values.uid, row: other.row } });
    }
  }
}

/** Every row's customer must be one Spirii has: the cache first, then Spirii for the rest, in batches. */
export async function checkCustomers(
  plan: ImportPlan,
  customers: CustomerDirectory | undefined,
  options: CheckOptions,
): Promise<{ check: CustomerCheck; names: Map<number, string> }> {
  const ids = new Set<number>();
  for (const row of plan.rows) if (row.values.customerId !== null) ids.add(row.values.customerId);
  if (!customers || options.checkSpirii === false) return { check: { state: 'skipped', requests: 0, message: null }, names: new Map() };
  const result = await customers.resolve(ids, { signal: options.signal });
  const names = new Map([...result.known].map(([id, c]) => [id, c.name]));
  const customerColumn = plan.columns.find((c) => c.field === 'customerId')?.header ?? 'customerId';
  if (result.unknown.size > 0) {
    for (const row of plan.rows) {
      const id = row.values.customerId;
      if (id === null || !result.unknown.has(id) || row.status === 'invalid') continue;
      const message = `Spirii has no customer ${id}: check the customer number`;
      const detail: ProblemDetail = { key: 'unknown-customer', params: { customerId: id } };
      if (row.status === 'ready') {
        row.status = 'invalid';
        row.duplicate = null;
        row.message = message;
        row.detail = detail;
        delete row.replaces;
      }
      plan.problems.push({ row: row.row, column: customerColumn, severity: 'error', message, detail });
    }
  }
  const check: CustomerCheck =
    result.state === 'offline'
      ? {
          state: 'offline',
          requests: result.requests,
          message: `Spirii could not be reached, so customers the desk has not seen before were not checked; Spirii refuses an unknown one when the queue is sent. (${result.error ?? ''})`,
        }
      : { state: 'checked', requests: result.requests, message: null };
  return { check, names };
}

/** The ready cards Spirii already has: page through its tokens, or ask card by card, whichever takes fewer requests. */
export async function checkSpirii(plan: ImportPlan, client: SpiriiClient, options: CheckOptions): Promise<SpiriiCheck> {
  const ready = plan.rows.filter((r) => r.status === 'ready');
  if (ready.length === 0) return { state: 'checked', message: null };
  const uidColumn = plan.columns.find((c) => c.field === 'uid')!.header;
  const byUid = new Map(ready.map((r) => [r.values.uid, r]));
  try {
    const first = await client.listTokens({ type: 'rfid', limit: 1 });
    const pages = Math.ceil(first.count / PAGE_SIZE);
    const requests = Math.min(pages, byUid.size);
    if (requests > MAX_SPIRII_REQUESTS) {
      return {
        state: 'skipped',
        message: `Not checked against Spirii: it would take ${requests} requests. Cards already in Spirii are refused when the queue is sent.`,
        requests,
      };
    }
    const found: { uid: string; id: number; customerId: number; label: string | null | undefined }[] = [];
    if (pages <= byUid.size) {
      let done = 0;
      for await (const page of tokenPages(client, { type: 'rfid' }, { signal: options.signal })) {
        for (const t of page.tokens) {
          const uid = t.identifier.uid?.toUpperCase();
          if (uid && byUid.has(uid)) found.push({ uid, id: t.id, customerId: t.customerId, label: t.identifier.label });
        }
        done += page.tokens.length;
        options.onProgress?.('checking Spirii', done, page.count);
      }
    } else {
      const uids = [...byUid.keys()];
      let next = 0;
      const worker = async () => {
        while (next < uids.length) {
          if (options.signal?.aborted) throw new Cancelled();
          const uid = uids[next++]!;
          const t = await client.findTokenByUid(uid);
          if (t) found.push({ uid, id: t.id, customerId: t.customerId, label: t.identifier.label });
          options.onProgress?.('checking Spirii', next, uids.length);
        }
      };
      await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, worker));
    }
    for (const f of found) {
      const row = byUid.get(f.uid)!;
      if (row.status !== 'ready') continue;
      markNotQueued(row, 'spirii', `Card ${f.uid} is already in Spirii (token ${f.id}, customer ${f.customerId}${f.label ? `, label ${f.label}` : ''})`, plan.problems, uidColumn, { key: 'in-spirii', params: { uid: f.uid, tokenId: f.id, customerId: f.customerId, label: f.label ?? null } });
    }
    return { state: 'checked', message: null };
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    if (error instanceof NetworkError) {
      return {
        state: 'offline',
        message: `Spirii could not be reached, so cards already in Spirii are not shown; they are refused when the queue is sent. (${error.message})`,
        error: error.message,
      };
    }
    return { state: 'failed', message: `Spirii could not be checked: ${(error as Error).message}`, error: (error as Error).message };
  }
}

/**
 * A ready row the checks rule out, with its reason: a duplicate (the card is already queued or in
 * Spirii) or, with no kind, invalid (its label is taken), an error of its column.
 */
function markNotQueued(row: PlanRow, kind: DuplicateKind | null, message: string, problems: Problem[], column: string, detail: ProblemDetail): void {
  row.status = kind ? 'duplicate' : 'invalid';
  row.duplicate = kind;
  row.message = message;
  row.detail = detail;
  problems.push({ row: row.row, column, severity: kind ? 'duplicate' : 'error', message, detail });
}
