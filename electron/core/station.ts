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
import { AuditLog } from './audit';
import { Connections, type ResolvedConnection, type SecretVault } from './connections';
import { silentLogger, type Logger } from './logger';
import { logStationActivity } from './diagnostics';
import { PreferencesStore, type Preferences } from './preferences';
import { EnrollmentSession } from './session';

export interface StationOptions {
  dataDir: string;
  /** The Spirii API to use; without it the built-in sandbox runs on loopback. */
  api?: ApiConnection;
  readers?: {
    pcsc?: boolean | Omit<PcscReadersOptions, 'nativeAddon' | 'log'>;
    /**
     * The simulated reader (a button that taps a made-up card). On by default; it taps only while
     * the API is the built-in sandbox or another server on this machine (a sandbox), never Spirii.
     */
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
  /** Where connection keys are encrypted (the app: safeStorage). Without one, only `api` or the built-in sandbox. */
  vault?: SecretVault | null;
  logger?: Logger;
}

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
}

export type ConnectionMode = 'spirii' | 'sandbox';

export const SANDBOX_NOTICE = 'Built-in sandbox: nothing you enroll here reaches Spirii.';

/** An API on this machine: the built-in sandbox, or one a developer or a test started. */
function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export class Station {
  readonly events = new TypedEvents<StationEventMap>();
  readonly queue: TokenQueue;
  readonly settings: Settings;
  readonly enrollment: Enrollment;
  readonly customers: CustomerDirectory;
  readonly sync: SyncWorker;
  readonly syncSettings: SyncSettingsStore;
  /** How the core asks for a file to read or write (Electron's dialogs in the app, scripted in tests). */
  readonly dialogs: FileDialogs;
  readonly simulated: SimulatedReaders | null;
  readonly files: FilesService;
  readonly audit: AuditLog;
  readonly logger: Logger;
  readonly preferences: PreferencesStore;
  readonly session: EnrollmentSession;
  readonly readerDesk: ReaderDesk;
  private readonly sources: ReaderSource[] = [];
  private readonly unsubscribe: (() => void)[] = [];

  private constructor(
    readonly db: Db,
    readonly client: SpiriiClient,
    private currentMode: ConnectionMode,
    private currentSandbox: Sandbox | null,
    readonly connections: Connections,
    private readonly options: StationOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.settings = new Settings(db);
    this.syncSettings = new SyncSettingsStore(this.settings);
    this.queue = new TokenQueue(db, { holdMinutes: () => this.syncSettings.current.holdMinutes });
    this.enrollment = new Enrollment(this.queue, this.settings);
    this.customers = new CustomerDirectory(client, this.settings);
    this.sync = new SyncWorker(this.queue, client, { batchSize: () => this.syncSettings.current.batchSize, ...options.sync });
    this.preferences = new PreferencesStore(this.settings);
    this.session = new EnrollmentSession(this.queue, this.settings);
    this.simulated = options.readers?.simulated === false ? null : new SimulatedReaders();
    this.dialogs = options.dialogs ?? NO_DIALOGS;
    this.files = new FilesService({
      db,
      settings: this.settings,
      client,
      dialogs: this.dialogs,
      defaults: () => this.enrollment.defaults,
      queue: this.queue,
      customers: this.customers,
      onQueued: () => this.sync.poke(),
      emit: (progress) => this.events.emit('files', progress),
    });
    this.audit = new AuditLog(db, this.settings);
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
      ...logStationActivity(this),
      this.events.on('tap', (outcome) => {
        if (outcome.status !== 'queued') return;
        const { uid, label, customerId, id, source, comment } = outcome.token;
        try {
          this.audit.record('enroll', { tokenId: id, label, customerId, comment, source, api: this.apiUrl }, uid);
        } catch (error) {
          this.logger.error('Could not record the enrollment in the audit trail', { uid, error });
        }
      }),
    );
    this.connections.noteInUse(this.apiUrl, this.currentMode);
  }

  static async create(options: StationOptions): Promise<Station> {
    const db = openDatabase(options.dataDir, { nativeBinding: options.native?.sqlite });
    let sandbox: Sandbox | null = null;
    try {
      const connections = new Connections({ settings: new Settings(db), dataDir: options.dataDir, vault: options.vault ?? null, fixed: options.api });
      const initial = connections.initial();
      let connection: ApiConnection;
      if (initial.kind === 'builtin') ({ sandbox, connection } = await startBuiltinSandbox(options));
      else connection = initial.api;
      const client = new SpiriiClient(connection, { timeoutMs: options.sync?.timeoutMs, userAgent: options.userAgent });
      const station = new Station(db, client, initial.kind === 'builtin' ? 'sandbox' : 'spirii', sandbox, connections, options);
      for (const source of station.sources) source.start();
      if (options.sync?.autoStart !== false) station.sync.start();
      return station;
    } catch (error) {
      await sandbox?.close();
      db.close();
      throw error;
    }
  }

  /** A made-up card must never become a real token: simulated taps only on a sandbox API. */
  get simulatedTapsAllowed(): boolean {
    return this.simulated !== null && (this.mode === 'sandbox' || isLoopbackUrl(this.apiUrl));
  }

  get apiUrl(): string {
    return this.client.connection.baseUrl;
  }

  get mode(): ConnectionMode {
    return this.currentMode;
  }

  /** The built-in sandbox, while it is the connection in use. */
  get sandbox(): Sandbox | null {
    return this.currentSandbox;
  }

  /** Tokens queued for the API in use that have not reached it (held, pending, sending, in doubt, rejected). */
  unsentCount(): number {
    const counts = this.queue.counts();
    return counts.held + counts.pending + counts.sending + counts.in_doubt + counts.rejected;
  }

  /**
   * Switch to another API without a restart: the client, the customer directory and the sync
   * worker follow. Refused while tokens queued for the current API are still unsent, so that no
   * token enrolled against one (say, the sandbox) is ever sent to another (production).
   */
  async reconfigure(target: ResolvedConnection): Promise<void> {
    const next = target.kind === 'builtin' ? null : target.api;
    const moves = next === null ? this.currentMode !== 'sandbox' : this.currentMode === 'sandbox' || next.baseUrl !== this.apiUrl;
    if (moves) {
      const open = this.unsentCount();
      if (open > 0) throw new Error(`${open} token(s) have not reached ${this.apiUrl} yet: sync or discard them before switching to another connection.`);
    }
    const autoSync = this.options.sync?.autoStart !== false;
    await this.sync.stop();
    try {
      let connection = next;
      let sandbox = this.currentSandbox;
      if (connection === null) {
        if (!sandbox) ({ sandbox, connection } = await startBuiltinSandbox(this.options));
        else connection = this.client.connection;
      }
      this.client.use(connection);
      if (next !== null && this.currentSandbox) await this.currentSandbox.close();
      this.currentSandbox = next === null ? sandbox : null;
      this.currentMode = next === null ? 'sandbox' : 'spirii';
      if (moves) this.customers.forget();
      this.connections.noteInUse(this.apiUrl, this.currentMode);
      this.logger.info('Connection switched', { mode: this.currentMode, apiUrl: this.apiUrl });
      this.events.emit('connection', { mode: this.currentMode, apiUrl: this.apiUrl });
    } finally {
      if (autoSync) {
        this.sync.start();
        this.sync.retryNow();
      }
    }
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
    // A made-up card must never become a real token: the button is for the built-in sandbox only.
    if (!this.simulatedTapsAllowed) throw new Error('The simulated reader works only on a sandbox API; tap a real card.');
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
    await this.currentSandbox?.close();
    this.db.close();
  }

  /** Whether a card on this reader is enrolled now (the desk's choice of reader). */
  accepts(reader: ReaderInfo): boolean {
    return this.readerDesk.accepts(reader);
  }
}

async function startBuiltinSandbox(options: StationOptions): Promise<{ sandbox: Sandbox; connection: ApiConnection }> {
  const apiKey = `sandbox-${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({ statePath: path.join(options.dataDir, 'sandbox-tokens.json'), ...options.sandbox, apiKey, host: '127.0.0.1' });
  return { sandbox, connection: { baseUrl: sandbox.url, apiKey } };
}
