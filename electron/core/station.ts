/**
 * The core, composed: database, queue, enrollment, readers, API client, sync worker and, when no
 * API key is configured, the built-in sandbox. The Electron main process, the CLI and the tests'
 * bridge all drive this same object.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Db } from './db/sqlite';
import { TokenQueue, type QueuedToken } from './queue';
import { Settings } from './settings';
import { Enrollment, type EnrollmentView, type TapOutcome } from './enrollment';
import { SpiriiClient, type ApiConnection } from './api/client';
import { SyncWorker, type SyncStatus, type SyncWorkerOptions } from './sync/worker';
import { SyncSettingsStore } from './sync/settings';
import { CustomerDirectory } from './customers';
import { TypedEvents } from './events';
import type { ReaderEvent, ReaderInfo, ReaderSource, ReaderStatus } from './readers/types';
import { SimulatedReaders } from './readers/simulated';
import { PcscReaders, type PcscReadersOptions } from './readers/pcsc';
import { HidReaders, type HidOptions } from './readers/hid';
import { ReaderDesk } from './readers/desk';
import { parseUid } from './uid';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';
import { FilesService, type FilesProgress } from './io/files';
import { NO_DIALOGS, type FileDialogs } from './io/dialogs';
import { PreferencesStore, type Preferences } from './preferences';
import { EnrollmentSession } from './session';

export interface StationOptions {
  dataDir: string;
  /** The Spirii API to use; without it the built-in sandbox runs on loopback. */
  api?: ApiConnection;
  readers?: {
    pcsc?: boolean | Omit<PcscReadersOptions, 'nativeAddon' | 'log'>;
    simulated?: boolean;
    /** Keyboard-wedge readers through node-hid (the devices named in the reader settings). */
    hid?: boolean | HidOptions;
  };
  /** Where reader errors are written (with their PC/SC code); the app passes its log. */
  log?: (line: string) => void;
  native?: { sqlite?: string; pcsc?: string };
  /** Options for the built-in sandbox (tests use latency and faults). */
  sandbox?: Partial<SandboxOptions>;
  sync?: SyncWorkerOptions & { autoStart?: boolean; timeoutMs?: number };
  userAgent?: string;
  /** How import and export ask for a file: Electron's dialogs in the app, scripted in tests. */
  dialogs?: FileDialogs;
}

export interface StationEventMap extends Record<string, unknown> {
  tap: TapOutcome;
  enrollment: EnrollmentView;
  queue: QueuedToken[];
  sync: SyncStatus;
  reader: { event: ReaderEvent; readers: ReaderInfo[] };
  files: FilesProgress;
  preferences: Preferences;
  readers: ReaderStatus;
}

export type ConnectionMode = 'spirii' | 'sandbox';

export const SANDBOX_NOTICE = 'Built-in sandbox: nothing you enroll here reaches Spirii.';

export class Station {
  readonly events = new TypedEvents<StationEventMap>();
  readonly queue: TokenQueue;
  readonly settings: Settings;
  readonly enrollment: Enrollment;
  readonly customers: CustomerDirectory;
  readonly sync: SyncWorker;
  readonly syncSettings: SyncSettingsStore;
  readonly simulated: SimulatedReaders | null;
  readonly files: FilesService;
  readonly preferences: PreferencesStore;
  readonly session: EnrollmentSession;
  readonly readerDesk: ReaderDesk;
  private readonly sources: ReaderSource[] = [];
  private readonly unsubscribe: (() => void)[] = [];

  private constructor(
    readonly db: Db,
    readonly client: SpiriiClient,
    readonly mode: ConnectionMode,
    readonly sandbox: Sandbox | null,
    options: StationOptions,
  ) {
    this.settings = new Settings(db);
    this.syncSettings = new SyncSettingsStore(this.settings);
    this.queue = new TokenQueue(db, { holdMinutes: () => this.syncSettings.current.holdMinutes });
    this.enrollment = new Enrollment(this.queue, this.settings);
    this.customers = new CustomerDirectory(client, this.settings);
    this.sync = new SyncWorker(this.queue, client, options.sync);
    this.preferences = new PreferencesStore(this.settings);
    this.session = new EnrollmentSession(this.queue, this.settings);
    this.simulated = options.readers?.simulated === false ? null : new SimulatedReaders();
    this.files = new FilesService({
      db,
      settings: this.settings,
      client,
      dialogs: options.dialogs ?? NO_DIALOGS,
      defaults: () => this.enrollment.defaults,
      queue: this.queue,
      onQueued: () => this.sync.poke(),
      emit: (progress) => this.events.emit('files', progress),
    });
    if (this.simulated) this.sources.push(this.simulated);
    const pcsc = options.readers?.pcsc;
    if (pcsc) this.sources.push(new PcscReaders({ ...(pcsc === true ? {} : pcsc), nativeAddon: options.native?.pcsc, log: options.log }));
    this.readerDesk = new ReaderDesk(this.sources, this.settings, {
      tap: (uid, source) => this.tap(uid, source),
      refused: (outcome) => this.events.emit('tap', outcome),
      changed: (update) => {
        this.events.emit('reader', update);
        this.events.emit('readers', this.readerDesk.status());
      },
    });
    const hid = options.readers?.hid;
    if (hid) this.sources.push(new HidReaders({ ...(hid === true ? {} : hid), settings: () => this.readerDesk.config, log: options.log }));

    this.unsubscribe.push(
      this.queue.onChange((tokens) => this.events.emit('queue', tokens)),
      this.enrollment.onChange((view) => this.events.emit('enrollment', view)),
      this.sync.onStatus((status) => this.events.emit('sync', status)),
      this.preferences.onChange((preferences) => this.events.emit('preferences', preferences)),
      ...this.sources.map((source) => source.on((event) => this.readerDesk.handle(source, event))),
    );
  }

  static async create(options: StationOptions): Promise<Station> {
    const db = openDatabase(options.dataDir, { nativeBinding: options.native?.sqlite });
    let sandbox: Sandbox | null = null;
    try {
      let connection = options.api;
      if (!connection) {
        const apiKey = `sandbox-${randomBytes(16).toString('hex')}`;
        sandbox = await startSandbox({ statePath: path.join(options.dataDir, 'sandbox-tokens.json'), ...options.sandbox, apiKey, host: '127.0.0.1' });
        connection = { baseUrl: sandbox.url, apiKey };
      }
      const client = new SpiriiClient(connection, { timeoutMs: options.sync?.timeoutMs, userAgent: options.userAgent });
      const station = new Station(db, client, options.api ? 'spirii' : 'sandbox', sandbox, options);
      for (const source of station.sources) source.start();
      if (options.sync?.autoStart !== false) station.sync.start();
      return station;
    } catch (error) {
      await sandbox?.close();
      db.close();
      throw error;
    }
  }

  get apiUrl(): string {
    return this.client.connection.baseUrl;
  }

  readers(): ReaderInfo[] {
    return this.readerDesk.readers();
  }

  readerStatus(): ReaderStatus {
    return this.readerDesk.status();
  }

  /** Cards from other readers are ignored while this is set (`enroll --reader`; the window's choice is a reader setting). */
  get activeReader(): string | null {
    return this.readerDesk.chosen;
  }

  set activeReader(name: string | null) {
    this.readerDesk.override = name;
  }

  /** Enroll a UID that came from a reader, the simulated one, a person or a script. */
  tap(uid: string, source: string, overrides?: { label?: string | null; customerId?: number }): TapOutcome {
    const outcome = this.enrollment.tap(uid, source, overrides);
    this.events.emit('tap', outcome);
    if (outcome.status === 'queued') this.sync.poke();
    return outcome;
  }

  /** The label typed or scanned for the card waiting for one ('typed' label mode): it is queued with it. */
  giveLabel(label: string | null): TapOutcome {
    const outcome = this.enrollment.giveLabel(label);
    this.events.emit('tap', outcome);
    if (outcome.status === 'queued') this.sync.poke();
    return outcome;
  }

  /** Tap the simulated reader with a given UID (parsed like any other) or a random one. */
  simulateTap(uid?: string): TapOutcome {
    if (!this.simulated) throw new Error('The simulated reader is switched off');
    if (uid !== undefined) {
      const parsed = parseUid(uid);
      if (!parsed.ok) return this.tap(uid, 'simulated');
      uid = parsed.uid;
    }
    let outcome: TapOutcome | undefined;
    const off = this.events.on('tap', (o) => (outcome ??= o));
    try {
      this.simulated.tap(uid); // reader events are synchronous: the tap is handled before this returns
    } finally {
      off();
    }
    return outcome!;
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribe) off();
    await this.sync.stop();
    await Promise.all(this.sources.map((source) => source.stop()));
    await this.sandbox?.close();
    this.db.close();
  }

  /** Whether a card on this reader is enrolled now (the desk's choice of reader). */
  accepts(reader: ReaderInfo): boolean {
    return this.readerDesk.accepts(reader);
  }
}
