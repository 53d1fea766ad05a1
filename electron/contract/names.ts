/**
 * The names of the contract's calls and events and their IPC channels, and nothing else. This file
 * imports nothing, so the preload (which needs only the names) is built from it and carries no
 * schema. contract.ts gives every name its input schema and its types, and fails to compile if
 * the two lists differ: a new call is one line here and one entry there.
 */
export const CALL_NAMES = [
  'app.info',
  'customers.search',
  'customers.names',
  'enrollment.get',
  'enrollment.update',
  // Readers and UIDs
  'readers.status',
  'readers.simulateTap',
  'readers.settings',
  'readers.configure',
  'readers.wedgeTap',
  'uid.convert',
  // The queue and sync
  'queue.list',
  'queue.edit',
  'queue.discard',
  'queue.retry',
  'queue.release',
  'sync.status',
  'sync.now',
  'sync.settings',
  'sync.updateSettings',
  // Files
  'import.open',
  'import.preview',
  'import.confirm',
  'import.discard',
  'import.saveRejected',
  'export.tokens',
  'reconcile.run',
  'reconcile.export',
  'files.cancel',
  // Connections, the audit trail, diagnostics
  'connections.list',
  'connections.setUrl',
  'connections.save',
  'connections.forget',
  'connections.select',
  'connections.test',
  'audit.list',
  'audit.export',
  'diagnostics.get',
  'diagnostics.copy',
  // Tokens in Spirii, preferences, the enrollment session
  'tokens.list',
  'tokens.get',
  'tokens.patch',
  'tokens.select',
  // Changes to tokens in Spirii, queued (a bulk change is one batch)
  'changes.queue',
  'changes.batches',
  'changes.pause',
  'changes.resume',
  'changes.cancel',
  'changes.conflicts',
  'changes.choose',
  'preferences.get',
  'preferences.update',
  'session.get',
  'session.restart',
  'session.label',
  'session.skipLabel',
  'session.undo',
  'session.export',
  // The card's life at the desk: identify a card, hand a list of cards over
  'card.identify',
  'card.mode',
  'card.simulateTap',
  'card.enroll',
  'card.simulateReplacementTap',
  'replace.start',
  'replace.list',
  'replace.deactivateAnyway',
  'handover.list',
  'handover.batches',
  'export.handover',
] as const;

export const EVENT_NAMES = ['tap', 'enrollment', 'queue', 'sync', 'reader', 'files', 'connection', 'preferences', 'readers', 'card', 'changes', 'replacements', 'replacementCard'] as const;

export type CallName = (typeof CALL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** The channel names on Electron IPC. */
export const callChannel = (name: CallName) => `station:call:${name}`;
export const eventChannel = (name: EventName) => `station:event:${name}`;
