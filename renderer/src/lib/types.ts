/**
 * The core's types as the renderer sees them: all derived from the contract, so the renderer
 * never imports electron/core (the lint rule) and stays in step with what the calls return.
 */
import type { CallInput, CallOutput, EventPayload } from '../../../electron/contract/contract';

export type { CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../electron/contract/contract';
import type { CallError } from '../../../electron/contract/transport';
export type { CallError, Envelope, StationTransport } from '../../../electron/contract/transport';

export type AppInfo = CallOutput<'app.info'>;
export type EnrollmentDefaults = CallOutput<'enrollment.get'>;
export type EnrollmentPatch = CallInput<'enrollment.update'>;
export type Customer = CallOutput<'customers.search'>['customers'][number];
export type CustomerSearchResult = CallOutput<'customers.search'>;
export type ReaderInfo = CallOutput<'readers.status'>['readers'][number];
export type ReaderUpdate = EventPayload<'reader'>;
export type QueuedToken = CallOutput<'queue.list'>[number];
export type QueueState = QueuedToken['state'];
export type SyncStatus = EventPayload<'sync'>;
export type SyncPhase = SyncStatus['phase'];
export type TapOutcome = EventPayload<'tap'>;

// Import, export and reconciliation.
export type ImportOpenResult = CallOutput<'import.open'>;
export type ImportPreview = Extract<ImportOpenResult, { status: 'ready' }>['preview'];
export type PreviewRow = ImportPreview['rows'][number];
export type ImportProblem = ImportPreview['problems'][number];
export type ExportInput = CallInput<'export.tokens'>;
export type SaveResult = CallOutput<'export.tokens'>;
export type ReconcileView = CallOutput<'reconcile.run'>;
export type FilesProgress = EventPayload<'files'>;
export type SpiriiToken = CallOutput<'tokens.get'>;
export type TokenQuery = CallInput<'tokens.list'>;
export type TokenPatch = CallInput<'tokens.patch'>['patch'];
export type Preferences = CallOutput<'preferences.get'>;
export type SessionView = CallOutput<'session.get'>;

// What the core says next to its English messages, for the window to word in its language (core/problem-detail.ts).
export type TokenProblem = NonNullable<QueuedToken['lastErrorDetail']>;
export type RequestProblem = NonNullable<SyncStatus['lastErrorDetail']>;
export type TapProblem = NonNullable<Extract<TapOutcome, { status: 'refused' }>['detail']>;
export type CallProblem = NonNullable<CallError['detail']>;
export type ChangeBatch = CallOutput<'changes.queue'>;
export type TokenChangeFields = CallInput<'changes.queue'>['fields'];
export type ChangeTarget = CallInput<'changes.queue'>['targets'][number];
export type ChangeConflict = CallOutput<'changes.conflicts'>[number];
export type QueuedChange = EventPayload<'changes'>[number];
