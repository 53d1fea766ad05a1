/** The app as a whole: connection, app info, sync status, readers, and the notice line. */
import { defineMessages } from '../lib/i18n.svelte';
import { describeError, station } from '../lib/station';
import type { AppInfo, ReaderInfo, SyncStatus } from '../lib/types';
import { noCounts, queue, type QueueCounts } from './queue.svelte';
import { describeReaderError } from '../lib/reader-health-wording';

const t = defineMessages({
  en: { syncFailed: 'Could not start a sync: {error}', notConnected: 'Not connected' },
  da: { syncFailed: 'Kunne ikke starte en synkronisering: {error}', notConnected: 'Ikke forbundet' },
});

export type Connection = 'connecting' | 'ready' | 'failed' | 'lost';

export interface Notice {
  id: number;
  tone: 'error' | 'info';
  text: string;
}

class AppState {
  connection = $state<Connection>('connecting');
  /** Why the app is not connected, in words. */
  problem = $state<string | null>(null);
  info = $state.raw<AppInfo | null>(null);
  sync = $state.raw<SyncStatus | null>(null);
  readers = $state.raw<ReaderInfo[]>([]);
  notice = $state.raw<Notice | null>(null);
  /** A "Sync now" request is on its way. */
  syncRequested = $state(false);

  /**
   * The queue's counts, for the header and every screen alike: counted from the window's queue
   * cache while it holds the whole queue (so they move with the rows, event by event), else the
   * core's own from its last status.
   */
  readonly counts = $derived.by((): QueueCounts => (queue.complete ? queue.counted : (this.sync?.counts ?? noCounts())));
  /** Waiting to go out: pending and sending together, as the desk thinks of them. */
  readonly waiting = $derived(this.counts.pending + this.counts.sending);

  private noticeSeq = 0;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly stops: (() => void)[] = [];

  /** Subscribe to the core's events and load the first state. Resolves false when there is no station. */
  async start(): Promise<boolean> {
    if (!station.connected) {
      this.fail('failed', station.connection.problem ?? t('notConnected'));
      return false;
    }
    this.stops.push(
      station.on('sync', (status) => this.setSync(status)),
      station.on('reader', ({ event, readers }) => {
        this.readers = readers;
        if (event.type === 'error') this.report(() => describeReaderError(event));
      }),
      station.onDisconnect((reason) => this.fail('lost', reason)),
      // Settings → Connection switched the API: the banner and header follow.
      station.on('connection', () => void this.refreshInfo()),
    );
    try {
      const [info, sync, readers] = await Promise.all([station.call('app.info', {}), station.call('sync.status', {}), station.call('readers.status', {})]);
      this.info = info;
      this.setSync(sync);
      this.readers = readers.readers;
      // A reader that failed before this window opened (PC/SC missing, say) is still news to the desk.
      const lastError = readers.lastError;
      if (lastError) this.report(() => describeReaderError(lastError));
      this.connection = 'ready';
      return true;
    } catch (error) {
      this.fail('failed', describeError(error));
      return false;
    }
  }

  /** Fetch the app info again (the connection in use changed). */
  async refreshInfo(): Promise<void> {
    try {
      this.info = await station.call('app.info', {});
    } catch (error) {
      this.report(describeError(error));
    }
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    clearTimeout(this.statusTimer);
  }

  /** Counts change with every queue event; fetch them once things settle rather than per event. */
  refreshStatusSoon(): void {
    clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => {
      station.call('sync.status', {}).then(
        (status) => this.setSync(status),
        () => {},
      );
    }, 200);
  }

  async syncNow(): Promise<void> {
    this.syncRequested = true;
    try {
      this.setSync(await station.call('sync.now', {}));
    } catch (error) {
      this.report(t('syncFailed', { error: describeError(error) }));
    } finally {
      this.syncRequested = false;
    }
  }

  /**
   * Show a notice. Given as a function, its text is worded when shown, so it follows the window's
   * language (also when the language is only known after the notice was raised, as at start-up).
   */
  report(text: string | (() => string), tone: Notice['tone'] = 'error'): void {
    const id = ++this.noticeSeq;
    const say = typeof text === 'function' ? text : () => text;
    this.notice = {
      id,
      tone,
      get text() {
        return say();
      },
    };
    // Information goes by itself; an error stays until dismissed.
    if (tone === 'info') setTimeout(() => this.notice?.id === id && this.dismiss(), 6000);
  }

  dismiss(): void {
    this.notice = null;
  }

  private setSync(status: SyncStatus): void {
    this.sync = status;
    queue.verify(status.counts);
  }

  private fail(connection: 'failed' | 'lost', problem: string): void {
    this.connection = connection;
    this.problem = problem;
  }
}

export const app = new AppState();
