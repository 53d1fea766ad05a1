/**
 * The handover list: the cards a customer leaves the desk with, for an enrollment session, one
 * import (a batch) or a customer, each with its label, UID, validity and state, the customer's
 * name and the operator. The window shows it as a printable page; the PDF is that page printed
 * by the host (Electron's printToPDF in the app, Chromium's in tests) and written by the core to
 * a file chosen in the save dialog, recorded in the audit trail as an export.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkOutputTarget, noteExportFolder, partFileFor } from './io/targets';
import type { AuditLog } from './audit';
import type { CustomerDirectory } from './customers';
import type { FileDialogs } from './io/dialogs';
import type { SaveResult } from './io/files';
import type { QueuedToken, QueueState, TokenQueue } from './queue';
import type { EnrollmentSession } from './session';
import type { SeenTokens } from './spirii-seen';

export type HandoverScope = { kind: 'session' } | { kind: 'batch'; source: string } | { kind: 'customer'; customerId: number };

export interface HandoverCard {
  uid: string;
  label: string | null;
  customerId: number;
  /** Valid from (null: from the moment Spirii created it, `createdAt` here) and until (null: no expiry). */
  validFrom: string | null;
  expiresAt: string | null;
  isActive: boolean;
  /** This desk's state of the token: synced means it is in Spirii. */
  state: QueueState;
  spiriiId: number | null;
  createdAt: string;
}

export interface HandoverList {
  scope: HandoverScope;
  /** The batch's file name, for a batch. */
  batchName: string | null;
  /** The customers of the cards, with their names as this desk knows them (usually one). */
  customers: { id: number; name: string | null }[];
  operator: string;
  madeAt: string;
  cards: HandoverCard[];
}

/** An import the desk can hand over: its source, file name and size. */
export interface HandoverBatch {
  source: string;
  name: string;
  count: number;
  firstAt: string;
  customerIds: number[];
}

const HANDOVER_MAX = 20_000;

export interface HandoverDeps {
  queue: TokenQueue;
  session: EnrollmentSession;
  customers: CustomerDirectory;
  audit: AuditLog;
  seen: SeenTokens;
  now?: () => Date;
}

function cardOf(token: QueuedToken, seen: SeenTokens): HandoverCard {
  // A token changed in Spirii since it was enrolled (seen later than the row last changed) is
  // listed as Spirii has it.
  const sighting = token.state === 'synced' ? seen.byUid(token.uid) : undefined;
  const spirii = sighting?.token && sighting.seenAt >= token.updatedAt ? sighting.token : null;
  return {
    uid: token.uid,
    label: token.label,
    customerId: spirii?.customerId ?? token.customerId,
    validFrom: spirii?.validFrom ?? token.validFrom,
    expiresAt: spirii ? spirii.expiresAt : token.expiresAt,
    isActive: spirii?.isActive ?? token.isActive,
    state: token.state,
    spiriiId: token.spiriiId,
    createdAt: token.syncedAt ?? token.createdAt,
  };
}

export function handoverBatches(queue: TokenQueue): HandoverBatch[] {
  return queue.importBatches().map((b) => ({ ...b, name: b.source.replace(/^import:/, '') }));
}

export function handoverList(deps: HandoverDeps, scope: HandoverScope): HandoverList {
  let rows: QueuedToken[];
  if (scope.kind === 'session') {
    // Oldest first, as the cards were tapped; a discarded token has left the session.
    rows = deps.session
      .view()
      .tokens.filter((t) => t.state !== 'discarded')
      .reverse();
  } else if (scope.kind === 'batch') {
    rows = deps.queue.listBySource(scope.source, HANDOVER_MAX);
  } else {
    rows = deps.queue.listByCustomer(scope.customerId, HANDOVER_MAX);
  }
  const cards = rows.map((row) => cardOf(row, deps.seen));
  const ids = [...new Set(scope.kind === 'customer' ? [scope.customerId, ...cards.map((c) => c.customerId)] : cards.map((c) => c.customerId))];
  return {
    scope,
    batchName: scope.kind === 'batch' ? scope.source.replace(/^import:/, '') : null,
    customers: ids.map((id) => ({ id, name: deps.customers.cachedName(id) })),
    operator: deps.audit.operator(),
    madeAt: (deps.now?.() ?? new Date()).toISOString(),
    cards,
  };
}

/**
 * The list with the names this desk did not know yet asked of Spirii (and remembered); a name
 * Spirii does not give within `timeoutMs` stays unknown, so an offline desk still gets its list.
 */
export async function withCustomerNames(list: HandoverList, customers: CustomerDirectory, timeoutMs = 3000): Promise<HandoverList> {
  if (list.customers.every((c) => c.name !== null)) return list;
  const named = await Promise.all(
    list.customers.map(async (c) => {
      if (c.name !== null) return c;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
      const name = await Promise.race([customers.nameOf(c.id).catch(() => null), late]).finally(() => clearTimeout(timer));
      return { id: c.id, name };
    }),
  );
  return { ...list, customers: named };
}

/** The host's printer: the page the window shows now, as a PDF. */
export type PdfPrinter = () => Promise<Uint8Array>;

function fileStem(scope: HandoverScope): string {
  if (scope.kind === 'customer') return `customer-${scope.customerId}`;
  if (scope.kind === 'batch') return scope.source.replace(/^import:/, '').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-').slice(0, 60) || 'batch';
  return 'session';
}

/** Print the handover page the window shows to a PDF file chosen in the save dialog. */
export async function saveHandoverPdf(deps: { dialogs: FileDialogs; print: PdfPrinter | undefined }, list: HandoverList): Promise<SaveResult> {
  if (!deps.print) throw new Error('This window cannot print to PDF; use the Print button instead.');
  const day = list.madeAt.slice(0, 10);
  const target = await deps.dialogs.pickSaveFile({
    title: 'Save the handover list as PDF',
    defaultName: `token-station-handover-${fileStem(list.scope)}-${day}.pdf`,
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
  });
  if (target === null) return { status: 'cancelled' };
  // The save dialog has agreed to replace a file elsewhere; never one in the data folder (the
  // database). Written beside the target under a temporary name and renamed when complete, as
  // every export is, so a failed write leaves no half PDF where the chosen file was.
  checkOutputTarget(target, { force: true });
  const pdf = await deps.print();
  noteExportFolder(path.dirname(target));
  const part = partFileFor(target, randomBytes(4).toString('hex'));
  try {
    await writeFile(part, pdf, { flag: 'wx' });
    checkOutputTarget(target, { force: true });
    await rename(part, target);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  const fileName = path.basename(target);
  return { status: 'done', fileName, rows: list.cards.length, bytes: pdf.byteLength, message: `Saved the handover list of ${list.cards.length} cards to ${fileName}.` };
}
