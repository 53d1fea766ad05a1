/**
 * The one contract between the window and the core: every call (request -> response) and every
 * pushed event, with a schema for each argument. The names live in names.ts (which the preload is
 * built from, so it carries none of these schemas); the main process validates every input against
 * these schemas, and the renderer's types come from here. A call that is not in this table does
 * not exist.
 */
import { z } from 'zod';
import { CALL_NAMES, EVENT_NAMES, callChannel, eventChannel, type CallName, type EventName } from './names';
import type { AppInfo, ChangeBatchView, ChangeConflictView } from './types';
import type { CustomerSearchResult } from '../core/customers';
import { enrollmentDefaultsShape, type EnrollmentView, type TapOutcome, type UndoResult } from '../core/enrollment';
import { QUEUE_STATES, type QueuedToken } from '../core/queue';
import { checkTokenEdit, type TokenEdit } from '../core/token-edit';
import type { ReaderEvent, ReaderInfo, ReaderStatus } from '../core/readers/types';
import { readerSettingsShape, type ReaderSettings, type TypedResult } from '../core/readers/desk';
import { UID_FORMATS, type UidConversion } from '../core/uid';
import type { SyncStatus } from '../core/sync/worker';
import { PROFILE_IDS, type ConnectionsView, type KeySaveResult } from '../core/connections';
import type { ConnectionCheck } from '../core/connection-check';
import { AUDIT_ACTIONS, type AuditEntry } from '../core/audit';
import { syncSettingsSchema, type SyncSettings } from '../core/sync/settings';
import type { FilesProgress, ImportOpenResult, ReconcileView, SaveResult } from '../core/io/files';
import { IMPORT_FIELDS } from '../core/io/import-plan';
import type { ImportResult } from '../core/io/import';
import { EXPORT_FORMATS, EXPORT_HEADERS, localFiltersShape, spiriiFiltersShape } from '../core/io/shapes';
import { LABEL_MAX } from '../core/enrollment';
import { preferencesShape, type Preferences } from '../core/preferences';
import type { SessionView } from '../core/session';
import { TEXT_FIELD_MAX, type Page, type SpiriiToken } from '../core/token';
import type { CardReport } from '../core/card';
import { TAP_MODES, type TapMode } from '../core/tap-router';
import type { Replacement, ReplacementRefusalReason } from '../core/replace';
import type { HandoverBatch, HandoverList } from '../core/handover';
import type { QueuedChange } from '../core/changes/types';
import type { TokenSelection } from '../core/token-selection';

/** A response type carried only at compile time. */
function returns<T>(): T {
  return undefined as T;
}

function call<Input extends z.ZodType, Output>(input: Input, output: Output) {
  return { input, output };
}

const none = z.object({}).strict();

/** A change to a queued token: the queue's own check (core/token-edit.ts), so the window and the queue refuse the same. */
const tokenEdit = z.custom<TokenEdit>().transform((patch, ctx) => {
  const checked = checkTokenEdit(patch);
  if (checked.ok) return checked.edit;
  ctx.addIssue({ code: 'custom', path: checked.issue.path, message: checked.issue.message });
  return z.NEVER;
});

// Files: a job id the window picks, so it can cancel the job while the call runs.
const jobId = z.string().regex(/^[\w-]{1,64}$/).optional();
const csvOptions = z.object({ delimiter: z.enum([',', ';']).optional(), bom: z.boolean().optional() }).strict().optional();
// Which column is which, chosen in the mapping step: header (as the file names it) to field, or null to skip it.
const columnMapping = z.record(z.string().max(200), z.enum(IMPORT_FIELDS).nullable()).refine((m) => Object.keys(m).length <= 200, 'at most 200 columns');
const importChoices = {
  job: jobId,
  customerId: z.number().int().min(1).optional(),
  uidFormat: z.enum([...UID_FORMATS, 'auto']).optional(),
  mapping: columnMapping.optional(),
};
const previewId = z.string().regex(/^[0-9a-f]{16}$/);
// Tokens in Spirii, the operator's preferences, the enrollment session.
const isoDateTime = z.iso.datetime({ offset: true });
/** The query of GET /v2/tokens, with the documented limits (shared/spirii-api.md): the tokens screen's filters and a page. */
const tokenQuery = z
  .object({
    ...spiriiFiltersShape.shape,
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
/** The fields of PATCH /v2/tokens/{id} the desk edits. */
const tokenPatch = z
  .object({
    validFrom: isoDateTime.optional(),
    expiresAt: isoDateTime.nullable().optional(),
    isActive: z.boolean().optional(),
    roamingEnabled: z.boolean().optional(),
    priorityChargingEnabled: z.boolean().optional(),
    billingReference: z.string().max(TEXT_FIELD_MAX).nullable().optional(),
    comment: z.string().max(TEXT_FIELD_MAX).nullable().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one field' })
  .refine((p) => !p.validFrom || !p.expiresAt || Date.parse(p.expiresAt) > Date.parse(p.validFrom), {
    message: 'expiresAt must be after validFrom',
    path: ['expiresAt'],
  });
const tokenId = z.number().int().min(1);
const uiCalls = {
  'tokens.list': call(tokenQuery, returns<Page<SpiriiToken>>()),
  'tokens.get': call(z.object({ id: tokenId }).strict(), returns<SpiriiToken>()),
  'tokens.patch': call(z.object({ id: tokenId, patch: tokenPatch }).strict(), returns<SpiriiToken>()),
  /** The ids of the tokens a query matches (all pages, or one range of them), for a bulk change: never the tokens themselves. */
  'tokens.select': call(
    z
      .object({ query: tokenQuery.omit({ offset: true, limit: true }), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(100_000).optional() })
      .strict(),
    returns<TokenSelection>(),
  ),
  'preferences.get': call(none, returns<Preferences>()),
  'preferences.update': call(preferencesShape.partial().strict(), returns<Preferences>()),
  'session.get': call(none, returns<SessionView>()),
  'session.restart': call(none, returns<SessionView>()),
  /** The label typed or scanned for the card waiting for one; null enrolls it without a label. */
  'session.label': call(z.object({ label: z.string().max(LABEL_MAX).nullable() }).strict(), returns<TapOutcome>()),
  'session.skipLabel': call(none, returns<EnrollmentView>()),
  /** Undo a tap in one step: its token (only on this computer) is discarded and its numbered label given again. */
  'session.undo': call(z.object({ id: z.number().int().min(1) }).strict(), returns<UndoResult>()),
  /** The session's tokens to a file chosen in the core's save dialog; recorded in the audit trail as an export. */
  'session.export': call(z.object({ format: z.enum(['csv', 'json']) }).strict(), returns<SaveResult>()),
};

// ---- The card's life at the desk: identify a card, hand a list of cards over ----
/** A session, one import (its source, `import:<file>`), or one customer. */
const handoverScope = z
  .object({ kind: z.enum(['session', 'batch', 'customer']), source: z.string().max(300).optional(), customerId: z.number().int().min(1).optional() })
  .strict();
const cardCalls = {
  /** Everything known about a card, from a UID (any separator, any case) or a label. */
  'card.identify': call(z.object({ query: z.string().trim().min(1).max(100) }).strict(), returns<CardReport>()),
  /** What a tap does: enroll (the default) or identify, enrolling nothing (the Identify screen sets it while it shows). */
  'card.mode': call(z.object({ mode: z.enum(TAP_MODES) }).strict(), returns<{ mode: TapMode }>()),
  /** The simulated reader's tap while identifying (sandbox APIs only, as every simulated tap). */
  'card.simulateTap': call(z.object({ uid: z.string().max(64).optional() }).strict(), returns<CardReport>()),
  /** Enroll a card an identification found unknown, from the Enroll screen: the same path as a tap. */
  'card.enroll': call(z.object({ uid: z.string().max(64) }).strict(), returns<TapOutcome>()),
  /** The simulated reader's tap while a replacement waits for its new card (sandbox APIs only). */
  'card.simulateReplacementTap': call(z.object({ uid: z.string().max(64).optional() }).strict(), returns<{ uid: string; source: string }>()),
  /** Replace a lost card (old: its UID or label) by the new card tapped: one job, the new token queued; refused with the reason, nothing queued. */
  'replace.start': call(
    z.object({ old: z.string().trim().min(1).max(100), newUid: z.string().max(64), label: z.string().trim().max(LABEL_MAX).nullable(), source: z.string().max(200).optional() }).strict(),
    returns<{ ok: true; job: Replacement } | { ok: false; reason: ReplacementRefusalReason; message: string; outcome: TapOutcome | null }>(),
  ),
  /** The replacements, newest first. */
  'replace.list': call(none, returns<Replacement[]>()),
  /** A replacement whose old token changed in Spirii: deactivate it anyway, over that change. */
  'replace.deactivateAnyway': call(z.object({ id: z.number().int().min(1) }).strict(), returns<Replacement>()),
  'handover.list': call(handoverScope, returns<HandoverList>()),
  'handover.batches': call(none, returns<HandoverBatch[]>()),
  /** The handover page the window shows, printed to PDF by the host and saved where the person chooses; an export in the audit trail. */
  'export.handover': call(handoverScope, returns<SaveResult>()),
};

// ---- Changes to tokens in Spirii, queued: one change for many tokens is one batch ----
/** What PATCH /v2/tokens/{id} may change (shared/spirii-api.md), customer included; the core checks it again. */
const changeFields = tokenPatch
  .extend({ customerId: z.number().int().min(1).optional() })
  .strict()
  .refine((fields) => Object.keys(fields).length > 0, { message: 'change at least one field' });
/** A token picked on the Tokens screen: its id, the updatedAt the desk read (the change's base), and its UID and label when the window has them. */
const changeTarget = z
  .object({ id: tokenId, basedOn: isoDateTime.nullable(), uid: z.string().max(64).nullable().optional(), label: z.string().max(LABEL_MAX).nullable().optional() })
  .strict();
const batchId = z.object({ batchId: z.number().int().min(1) }).strict();
const changeCalls = {
  /** One change for every one of these tokens, queued durably (one batch) and sent one PATCH a token at Spirii's write limit. */
  'changes.queue': call(z.object({ targets: z.array(changeTarget).min(1).max(100_000), fields: changeFields }).strict(), returns<ChangeBatchView>()),
  /** The batches with their progress, newest first. */
  'changes.batches': call(none, returns<ChangeBatchView[]>()),
  'changes.pause': call(batchId, returns<ChangeBatchView>()),
  'changes.resume': call(batchId, returns<ChangeBatchView>()),
  /** What has not been sent is cancelled; what was sent stays. */
  'changes.cancel': call(batchId, returns<ChangeBatchView>()),
  /** The changes in conflict (Spirii changed the token since the desk read it), each with the desk's and Spirii's values of the fields it touches. */
  'changes.conflicts': call(none, returns<ChangeConflictView[]>()),
  /** The clerk's choice for one of them: send it anyway over Spirii's version, or keep Spirii's (audited by the core). */
  'changes.choose': call(z.object({ id: z.number().int().min(1), choice: z.enum(['apply-mine', 'keep-spirii']) }).strict(), returns<ChangeConflictView[]>()),
};

export const contract = {
  calls: {
    'app.info': call(none, returns<AppInfo>()),
    'customers.search': call(z.object({ search: z.string().max(100) }).strict(), returns<CustomerSearchResult>()),
    // Names for the customer numbers a list shows: the cache first, the rest from Spirii in one batch.
    'customers.names': call(z.object({ ids: z.array(z.number().int().min(1)).max(1000) }).strict(), returns<{ id: number; name: string }[]>()),
    'enrollment.get': call(none, returns<EnrollmentView>()),
    'enrollment.update': call(enrollmentDefaultsShape.partial().strict(), returns<EnrollmentView>()),
    // Readers and UIDs: health, the desk's reader settings, wedge keystrokes, UID formats.
    'readers.status': call(none, returns<ReaderStatus>()),
    'readers.simulateTap': call(z.object({ uid: z.string().max(64).optional() }).strict(), returns<TapOutcome>()),
    'readers.settings': call(none, returns<ReaderSettings>()),
    'readers.configure': call(readerSettingsShape.partial().strict(), returns<ReaderSettings>()),
    'readers.wedgeTap': call(z.object({ value: z.string().max(64), format: z.enum(UID_FORMATS).optional() }).strict(), returns<TypedResult>()),
    'uid.convert': call(z.object({ value: z.string().max(64), from: z.enum(UID_FORMATS).optional() }).strict(), returns<UidConversion>()),
    // Sync: the queue's rows and the desk's actions on them, the sync status and settings.
    /** Newest first; discarded rows only when asked for by state; `search` matches part of a UID or label. */
    'queue.list': call(
      z
        .object({
          limit: z.number().int().min(1).max(10_000).optional(),
          offset: z.number().int().min(0).optional(),
          states: z.array(z.enum(QUEUE_STATES)).max(QUEUE_STATES.length).optional(),
          search: z.string().max(50).optional(),
          customerId: z.number().int().min(1).optional(),
        })
        .strict(),
      returns<QueuedToken[]>(),
    ),
    /** Change a token that exists only here (held, pending, rejected); a rejected one goes back to pending. */
    'queue.edit': call(z.object({ id: z.number().int().min(1), patch: tokenEdit }).strict(), returns<QueuedToken>()),
    /** Drop a token that exists only here (held, pending, rejected). */
    'queue.discard': call(z.object({ id: z.number().int().min(1) }).strict(), returns<QueuedToken>()),
    /** Rejected tokens (these, or all) back to pending, and an immediate sync attempt (tokens in doubt are looked up, never re-sent blindly). */
    'queue.retry': call(z.object({ ids: z.array(z.number().int().min(1)).max(10_000).optional() }).strict(), returns<QueuedToken[]>()),
    /** Held tokens (these, or all) are sent now. */
    'queue.release': call(z.object({ ids: z.array(z.number().int().min(1)).max(10_000).optional() }).strict(), returns<QueuedToken[]>()),
    'sync.status': call(none, returns<SyncStatus>()),
    'sync.now': call(none, returns<SyncStatus>()),
    'sync.settings': call(none, returns<SyncSettings>()),
    'sync.updateSettings': call(syncSettingsSchema.partial().strict(), returns<SyncSettings>()),

    // Files: import, export, reconciliation. Files are chosen in the core's dialogs, never sent as paths.
    'import.open': call(z.object(importChoices).strict(), returns<ImportOpenResult>()),
    'import.preview': call(z.object({ id: previewId, ...importChoices }).strict(), returns<ImportOpenResult>()),
    'import.confirm': call(z.object({ id: previewId }).strict(), returns<ImportResult & { message: string }>()),
    'import.discard': call(z.object({ id: previewId }).strict(), returns<null>()),
    'import.saveRejected': call(z.object({ id: previewId }).strict(), returns<SaveResult>()),
    'export.tokens': call(
      z
        .object({
          job: jobId,
          source: z.enum(['spirii', 'local']),
          format: z.enum(EXPORT_FORMATS),
          spiriiFilters: spiriiFiltersShape.optional(),
          localFilters: localFiltersShape.optional(),
          csv: csvOptions,
          headers: z.enum(EXPORT_HEADERS).optional(),
        })
        .strict(),
      returns<SaveResult>(),
    ),
    'reconcile.run': call(z.object({ job: jobId, customerId: z.number().int().min(1).optional() }).strict(), returns<ReconcileView>()),
    'reconcile.export': call(z.object({ job: jobId, format: z.enum(EXPORT_FORMATS), csv: csvOptions }).strict(), returns<SaveResult>()),
    'files.cancel': call(z.object({ job: z.string().regex(/^[\w-]{1,64}$/) }).strict(), returns<{ cancelled: boolean }>()),
    // Security: connection profiles and their keys, the audit trail, diagnostics. A key goes
    // in (save, test) and never comes out: every answer carries a mask at most.
    'connections.list': call(none, returns<ConnectionsView>()),
    'connections.setUrl': call(z.object({ url: z.string().min(1).max(2048) }).strict(), returns<ConnectionsView>()),
    'connections.save': call(
      z.object({ id: z.enum(PROFILE_IDS), key: z.string().max(512), choice: z.enum(['store-weak', 'session-only']).optional() }).strict(),
      returns<KeySaveResult>(),
    ),
    'connections.forget': call(z.object({ id: z.enum(PROFILE_IDS) }).strict(), returns<ConnectionsView>()),
    'connections.select': call(z.object({ id: z.enum(PROFILE_IDS) }).strict(), returns<ConnectionsView>()),
    'connections.test': call(
      z.object({ id: z.enum(PROFILE_IDS), key: z.string().max(512).optional(), url: z.string().max(2048).optional() }).strict(),
      returns<ConnectionCheck>(),
    ),
    'audit.list': call(
      z.object({ limit: z.number().int().min(1).max(10_000).optional(), beforeId: z.number().int().min(1).optional(), actions: z.array(z.enum(AUDIT_ACTIONS)).max(5).optional() }).strict(),
      returns<AuditEntry[]>(),
    ),
    'audit.export': call(
      z.object({ format: z.enum(['csv', 'json']), actions: z.array(z.enum(AUDIT_ACTIONS)).max(5).optional() }).strict(),
      returns<{ filename: string; content: string; count: number }>(),
    ),
    'diagnostics.get': call(none, returns<{ text: string }>()),
    /** Copied by the shell (the window has no clipboard permission); the text comes back too. */
    'diagnostics.copy': call(none, returns<{ text: string; copied: boolean }>()),

    ...uiCalls,
    ...cardCalls,
    ...changeCalls,
  },
  events: {
    tap: returns<TapOutcome>(),
    /** The session's defaults changed (by a person, or the label number moving on after a tap). */
    enrollment: returns<EnrollmentView>(),
    queue: returns<QueuedToken[]>(),
    sync: returns<SyncStatus>(),
    reader: returns<{ event: ReaderEvent; readers: ReaderInfo[] }>(),
    /** Progress of an import check, an export or a reconciliation. */
    files: returns<FilesProgress>(),
    /** The station now uses another API (Settings → Connection). */
    connection: returns<{ mode: 'spirii' | 'sandbox'; apiUrl: string }>(),
    /** The operator's preferences changed. */
    preferences: returns<Preferences>(),
    /** The readers' health after any change. */
    readers: returns<ReaderStatus>(),
    /** A card identified: the desk's own answer at once (spiriiSource 'pending'), then Spirii's. */
    card: returns<CardReport>(),
    /** Queued changes that moved on (queued, sent, settled, cancelled): the window asks for their batches' progress. */
    changes: returns<QueuedChange[]>(),
    /** The replacements changed (newest first). */
    replacements: returns<Replacement[]>(),
    /** Replace mode: the new card was tapped (nothing is queued until the window confirms). */
    replacementCard: returns<{ uid: string; source: string }>(),
  },
};

type Calls = typeof contract.calls;
type Events = typeof contract.events;

/** Both ways: every name in names.ts has its entry above, and nothing above lacks a name there. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const callsNamed: Same<keyof Calls, CallName> = true;
const eventsNamed: Same<keyof Events, EventName> = true;
void callsNamed;
void eventsNamed;

export { CALL_NAMES, EVENT_NAMES, callChannel, eventChannel, type CallName, type EventName };
/** What the caller passes. */
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
/** What the handler receives, after validation. */
export type CallArgs<K extends CallName> = z.output<Calls[K]['input']>;
export type CallOutput<K extends CallName> = Calls[K]['output'];
export type EventPayload<K extends EventName> = Events[K];

