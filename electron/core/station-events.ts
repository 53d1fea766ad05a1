/**
 * What a Station announces (`station.events`): its own file, so that what listens to the events
 * (the activity log in ./diagnostics.ts) need not import the Station that builds it.
 */
import type { TapOutcome, EnrollmentView } from './enrollment';
import type { QueuedToken } from './queue';
import type { SyncStatus } from './sync/worker';
import type { ReaderEvent, ReaderInfo, ReaderStatus } from './readers/types';
import type { FilesProgress } from './io/files';
import type { Preferences } from './preferences';
import type { CardReport } from './card';
import type { QueuedChange } from './changes/types';
import type { Replacement } from './replace';

export interface StationEventMap extends Record<string, unknown> {
  tap: TapOutcome;
  enrollment: EnrollmentView;
  queue: QueuedToken[];
  sync: SyncStatus;
  reader: { event: ReaderEvent; readers: ReaderInfo[] };
  files: FilesProgress;
  /** The station switched to another API (Settings → Connection). */
  connection: { mode: ConnectionMode; apiUrl: string };
  preferences: Preferences;
  readers: ReaderStatus;
  /** A card identified (identify mode's taps, and searches): first the desk's own answer, then Spirii's. */
  card: CardReport;
  /** Queued changes to tokens in Spirii that changed (queued, sent, settled, cancelled). */
  changes: QueuedChange[];
  /** The replacements of lost cards changed (the newest first). */
  replacements: Replacement[];
  /** Replace mode: the new card was tapped (nothing is queued until the window confirms). */
  replacementCard: { uid: string; source: string };
}

export type ConnectionMode = 'spirii' | 'sandbox';
