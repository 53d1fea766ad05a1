/**
 * Reconciliation: the local enrollment history (every token this desk queued) against what
 * Spirii holds, card by card (by UID): missing in Spirii, in Spirii but not enrolled here,
 * inactive in Spirii, customer or label different. The differences can be exported like tokens.
 */
import type { SpiriiClient } from '../api/client';
import type { SpiriiToken } from '../token';
import type { QueueState, TokenQueue } from '../queue';
import { inSpiriiTwice } from '../pre-send-check';
import { tokenPages } from './spirii-pages';
import type { LocalRow } from './export';
import type { Column } from './writers';
import type { FilesStep } from './shapes';

export const DIFFERENCE_KINDS = ['missing-in-spirii', 'not-enrolled-here', 'inactive', 'customer-differs', 'label-differs'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface Difference {
  kind: DifferenceKind;
  uid: string;
  message: string;
  localId: number | null;
  localState: QueueState | null;
  localCustomerId: number | null;
  localLabel: string | null;
  /** The Spirii token this desk recorded for the card (synced), and why Spirii refused it (rejected). */
  localSpiriiId: number | null;
  localError: string | null;
  spiriiId: number | null;
  spiriiCustomerId: number | null;
  spiriiLabel: string | null;
  spiriiActive: boolean | null;
}

export interface ReconcileReport {
  at: string;
  customerId: number | null;
  localTokens: number;
  spiriiTokens: number;
  counts: Record<DifferenceKind, number>;
  differences: Difference[];
}

export const DIFFERENCE_COLUMNS: Column<Difference>[] = [
  { name: 'difference', kind: 'text', get: (d) => d.kind, width: 18 },
  { name: 'uid', kind: 'text', get: (d) => d.uid, width: 22 },
  { name: 'message', kind: 'text', get: (d) => d.message, width: 60 },
  { name: 'localId', kind: 'number', get: (d) => d.localId, width: 8 },
  { name: 'localState', kind: 'text', get: (d) => d.localState, width: 10 },
  { name: 'localCustomerId', kind: 'number', get: (d) => d.localCustomerId },
  { name: 'localLabel', kind: 'text', get: (d) => d.localLabel, width: 18 },
  { name: 'spiriiId', kind: 'number', get: (d) => d.spiriiId, width: 10 },
  { name: 'spiriiCustomerId', kind: 'number', get: (d) => d.spiriiCustomerId },
  { name: 'spiriiLabel', kind: 'text', get: (d) => d.spiriiLabel, width: 18 },
  { name: 'spiriiActive', kind: 'boolean', get: (d) => d.spiriiActive, width: 10 },
];

/** With a customer chosen, a card Spirii holds for another customer is looked up one by one, up to this many. */
const MAX_LOOKUPS = 300;

function localPart(row: LocalRow) {
  return { localId: row.id, localState: row.state, localCustomerId: row.customerId, localLabel: row.label, localSpiriiId: row.spiriiId ?? null, localError: row.lastError ?? null };
}

function spiriiPart(token: SpiriiToken) {
  return { spiriiId: token.id, spiriiCustomerId: token.customerId, spiriiLabel: token.identifier.label ?? null, spiriiActive: token.isActive };
}

const NO_LOCAL = { localId: null, localState: null, localCustomerId: null, localLabel: null, localSpiriiId: null, localError: null };
const NO_SPIRII = { spiriiId: null, spiriiCustomerId: null, spiriiLabel: null, spiriiActive: null };

function missingMessage(row: LocalRow): string {
  switch (row.state) {
    case 'synced':
      return `Synced here as Spirii token ${row.spiriiId ?? '?'}, but Spirii does not hold this card`;
    case 'rejected':
      return `Spirii refused it: ${row.lastError ?? 'no reason given'}`;
    case 'in_doubt':
      return 'Not confirmed yet: the sync is checking whether Spirii got it';
    default:
      return 'Not sent yet (waiting in the queue)';
  }
}

export async function reconcile(
  deps: { queue: Pick<TokenQueue, 'pages' | 'markConflict'>; client: SpiriiClient },
  options: { customerId?: number; signal?: AbortSignal; onProgress?: (phase: FilesStep, done: number, total: number | null) => void } = {},
): Promise<ReconcileReport> {
  const filter = options.customerId === undefined ? {} : { customerId: options.customerId };
  const spirii = new Map<string, SpiriiToken>();
  /** Every Spirii token per UID, for the UIDs Spirii has more than once. */
  const copies = new Map<string, SpiriiToken[]>();
  let fetched = 0;
  for await (const page of tokenPages(deps.client, { type: 'rfid', ...filter }, { signal: options.signal })) {
    for (const token of page.tokens) {
      const uid = token.identifier.uid?.toUpperCase();
      if (uid && !spirii.has(uid)) spirii.set(uid, token);
      else if (uid) copies.set(uid, [...(copies.get(uid) ?? [spirii.get(uid)!]), token]);
    }
    fetched += page.tokens.length;
    options.onProgress?.('reading Spirii', fetched, page.count);
  }

  const differences: Difference[] = [];
  const seen = new Set<string>();
  const missing: LocalRow[] = [];
  // A synced token whose UID Spirii holds more than once is a conflict the desk sees, never "synced".
  const twice: ReturnType<typeof inSpiriiTwice>[] = [];
  let localTokens = 0;
  for await (const page of deps.queue.pages(filter)) {
    for (const row of page.rows) {
      localTokens++;
      seen.add(row.uid);
      const inSpirii = copies.get(row.uid);
      if (inSpirii && row.id !== null) twice.push(inSpiriiTwice(row.id, inSpirii));
      const token = spirii.get(row.uid);
      if (!token) {
        missing.push(row);
        continue;
      }
      compare(row, token, differences);
    }
    options.onProgress?.('comparing', localTokens, page.count);
  }

  // Filtered by customer, a card may be in Spirii under another customer: look those up.
  const lookUp = options.customerId !== undefined && missing.length <= MAX_LOOKUPS;
  for (const row of missing) {
    const token = lookUp ? await deps.client.findTokenByUid(row.uid) : undefined;
    if (token) compare(row, token, differences);
    else differences.push({ kind: 'missing-in-spirii', uid: row.uid, message: missingMessage(row), ...localPart(row), ...NO_SPIRII });
  }
  for (const [uid, token] of spirii) {
    if (seen.has(uid)) continue;
    differences.push({ kind: 'not-enrolled-here', uid, message: `In Spirii as token ${token.id} for customer ${token.customerId}, but not enrolled at this desk`, ...NO_LOCAL, ...spiriiPart(token) });
  }

  if (twice.length > 0) deps.queue.markConflict(twice, ['synced']);

  const counts = Object.fromEntries(DIFFERENCE_KINDS.map((k) => [k, 0])) as Record<DifferenceKind, number>;
  for (const d of differences) counts[d.kind]++;
  differences.sort((a, b) => DIFFERENCE_KINDS.indexOf(a.kind) - DIFFERENCE_KINDS.indexOf(b.kind) || a.uid.localeCompare(b.uid));
  return { at: new Date().toISOString(), customerId: options.customerId ?? null, localTokens, spiriiTokens: spirii.size, counts, differences };
}

function compare(row: LocalRow, token: SpiriiToken, out: Difference[]): void {
  const both = { uid: row.uid, ...localPart(row), ...spiriiPart(token) };
  if (!token.isActive) out.push({ kind: 'inactive', message: `Inactive in Spirii (token ${token.id})`, ...both });
  if (token.customerId !== row.customerId) {
    out.push({ kind: 'customer-differs', message: `Customer ${row.customerId} here, ${token.customerId} in Spirii`, ...both });
  }
  const label = token.identifier.label ?? null;
  if ((label ?? '') !== (row.label ?? '')) {
    out.push({ kind: 'label-differs', message: `Label ${row.label ?? '(none)'} here, ${label ?? '(none)'} in Spirii`, ...both });
  }
}

export function describeReport(report: ReconcileReport): string {
  const c = report.counts;
  return (
    `${report.localTokens} enrolled here, ${report.spiriiTokens} RFID tokens in Spirii${report.customerId ? ` (customer ${report.customerId})` : ''}: ` +
    `${c['missing-in-spirii']} missing in Spirii, ${c['not-enrolled-here']} not enrolled here, ${c.inactive} inactive, ` +
    `${c['customer-differs']} with another customer, ${c['label-differs']} with another label.`
  );
}
