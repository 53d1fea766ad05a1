/**
 * The core, composed: database, queue, enrollment, readers, API client, sync worker and, when no
 * API key is configured, the built-in sandbox. The Electron main process, the CLI and the tests'
 * bridge all drive this same object.
 */
import { openDatabase, type Db } from './db/sqlite';
import { TokenQueue, type QueuedToken } from './queue';
import { Settings } from './settings';
import { awaitingLabelSection, Enrollment, enrollmentDefaultsSection, type EnrollmentDefaultsSection, type TapOutcome } from './enrollment';
import { SpiriiClient, type ApiConnection } from './api/client';
import { SyncWorker, type SyncWorkerOptions } from './sync/worker';
import { syncSettingsSection, type SyncSettings, type SyncSettingsSection } from './sync/settings';
import { CustomerDirectory } from './customers';
import { TypedEvents } from './events';
import type { ReaderSource } from './readers/types';
import { SimulatedReaders } from './readers/simulated';
import { PcscReaders, type PcscReadersOptions } from './readers/pcsc';
import { HidReaders, type HidOptions } from './readers/hid';
import { ReaderDesk, readerSettingsSection, type ReaderSettingsSection } from './readers/desk';
import type { Sandbox, SandboxOptions } from '../sandbox/server';
import { FilesService } from './io/files';
import { Importer } from './io/import';
import { NO_DIALOGS, type FileDialogs } from './io/dialogs';
import { AuditLog } from './audit';
import { Connections, type ResolvedConnection, type SecretVault } from './connections';
import { silentLogger, type Logger } from './logger';
import { logStationActivity } from './diagnostics';
import type { StationEventMap, ConnectionMode } from './station-events';
import { preferencesSection, type PreferencesSection } from './preferences';
import { EnrollmentSession } from './session';
import { SeenTokens } from './spirii-seen';
import { CardIdentifier, type CardReport } from './card';
import { startBuiltinSandbox, StationConnection } from './station-connection';
import { SimulatedTaps } from './station-simulated';
import { LabelCheck } from './station-label-check';
import { TapRouter } from './tap-router';
import { Replacements } from './replace';
import { ChangeQueue } from './changes/queue';
import { ChangeDesk } from './changes/desk';
import { ChangeSender } from './sync/changes';

/** What the window's Tokens screen asks of the API. */
export type SpiriiTokens = Pick<SpiriiClient, 'listTokens' | 'getToken' | 'patchToken'>;

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
  /** Sync settings for a fresh install (stored when none are): the desk app gives a hold period. */
  syncDefaults?: Partial<SyncSettings>;
  userAgent?: string;
  /** How import and export ask for a file: Electron's dialogs in the app, scripted in tests. */
  dialogs?: FileDialogs;
  /** Where connection keys are encrypted (the app: safeStorage). Without one, only `api` or the built-in sandbox. */
  vault?: SecretVault | null;
  logger?: Logger;
}

export type { StationEventMap, ConnectionMode } from './station-events';

export { SANDBOX_NOTICE } from './station-connection';

export class Station {
  readonly events = new TypedEvents<StationEventMap>();
  readonly queue: TokenQueue;
  readonly settings: Settings;
  readonly enrollment: Enrollment;
  readonly customers: CustomerDirectory;
  readonly sync: SyncWorker;
  /** The four settings sections, each with one API: `value`, `update(patch)`, `onChange`. */
  readonly enrollmentDefaults: EnrollmentDefaultsSection;
  readonly readerSettings: ReaderSettingsSection;
  readonly syncSettings: SyncSettingsSection;
  /** How the core asks for a file to read or write (Electron's dialogs in the app, scripted in tests). */
  readonly dialogs: FileDialogs;
  readonly simulated: SimulatedReaders | null;
  readonly files: FilesService;
  /** The import path on its own, for the CLI's `import` (the window goes through `files`). */
  readonly importer: Importer;
  /** Tokens in Spirii as the window's Tokens screen reads and edits them: three calls of the client, no more. */
  readonly spiriiTokens: SpiriiTokens;
  readonly audit: AuditLog;
  readonly logger: Logger;
  readonly preferences: PreferencesSection;
  readonly session: EnrollmentSession;
  readonly readerDesk: ReaderDesk;
  /** What this desk last saw of Spirii's tokens (identify answers from it offline). */
  readonly seen: SeenTokens;
  readonly cards: CardIdentifier;
  /** What a tap does (enroll, or identify while the window's Identify screen shows): the reader desk's Enroller. */
  readonly taps: TapRouter;
  /** Replacing lost cards: one job each, the new token queued, the old one deactivated once the new one is in Spirii. */
  readonly replacements: Replacements;
  /** Changes to tokens in Spirii, queued like creations: batches, progress, pause/resume/cancel, conflicts. */
  readonly changes: ChangeDesk;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly connection: StationConnection;
  private readonly simulatedTaps: SimulatedTaps;
  private readonly labels: LabelCheck;

  private constructor(
    // The database and the client stay readable for tests that seed them; no consumer in electron/
    // uses them (the window's handlers take a WindowStation, the CLI the importer and files).
    readonly db: Db,
    readonly client: SpiriiClient,
    mode: ConnectionMode,
    sandbox: Sandbox | null,
    readonly connections: Connections,
    options: StationOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.spiriiTokens = client;
    this.settings = new Settings(db);
    this.syncSettings = syncSettingsSection(this.settings);
    if (options.syncDefaults) this.syncSettings.seed(options.syncDefaults);
    this.enrollmentDefaults = enrollmentDefaultsSection(this.settings);
    this.readerSettings = readerSettingsSection(this.settings);
    this.preferences = preferencesSection(this.settings);
    this.queue = new TokenQueue(db, { holdMinutes: () => this.syncSettings.value.holdMinutes });
    this.enrollment = new Enrollment(this.queue, this.enrollmentDefaults, awaitingLabelSection(this.settings));
    this.customers = new CustomerDirectory(client, this.settings);
    const changeQueue = new ChangeQueue(db);
    this.sync = new SyncWorker(this.queue, client, {
      batchSize: () => this.syncSettings.value.batchSize,
      customers: this.customers,
      changes: new ChangeSender(changeQueue),
      ...options.sync,
    });
    this.session = new EnrollmentSession(this.queue, this.settings);
    this.simulated = options.readers?.simulated === false ? null : new SimulatedReaders();
    this.dialogs = options.dialogs ?? NO_DIALOGS;
    this.importer = new Importer(db, this.settings, client, this.queue, this.customers, (tokens) => this.recordEnrollments(tokens));
    this.files = new FilesService({
      settings: this.settings,
      client,
      dialogs: this.dialogs,
      defaults: () => this.enrollmentDefaults.value,
      queue: this.queue,
      importer: this.importer,
      customers: this.customers,
      onQueued: () => this.sync.poke(),
      emit: (progress) => this.events.emit('files', progress),
    });
    this.audit = new AuditLog(db, this.settings);
    this.seen = new SeenTokens(db, () => this.apiUrl);
    this.changes = new ChangeDesk({
      queue: changeQueue,
      tokens: this.queue,
      seen: this.seen,
      api: client,
      audit: this.audit,
      apiUrl: () => this.apiUrl,
      onQueued: () => this.sync.poke(),
    });
    this.cards = new CardIdentifier({ queue: this.queue, seen: this.seen, audit: this.audit, client, customers: this.customers });
    // The one switch between enrolling and identifying: every reader's tap (PC/SC, HID, the
    // window's wedge, the simulated button) goes through the router the desk is given.
    this.taps = new TapRouter(this.enrollment, this.cards);
    this.replacements = new Replacements(
      db,
      { queue: this.queue, enrollment: this.enrollment, audit: this.audit, changes: this.changes, apiUrl: () => this.apiUrl, identify: (query) => this.cards.identify(query) },
      { onQueued: () => this.sync.poke() },
    );
    // Every reader adapter first, then the desk that listens to them: cards go one way, adapters ->
    // desk -> enrollment -> queue, and what happened comes back out as events.
    const sources: ReaderSource[] = [];
    if (this.simulated) sources.push(this.simulated);
    const pcsc = options.readers?.pcsc;
    if (pcsc) sources.push(new PcscReaders({ ...(pcsc === true ? {} : pcsc), nativeAddon: options.native?.pcsc, log: options.log }));
    const hid = options.readers?.hid;
    if (hid) sources.push(new HidReaders({ ...(hid === true ? {} : hid), settings: () => this.readerSettings.value, log: options.log }));
    this.readerDesk = new ReaderDesk(sources, this.readerSettings, this.taps);
    this.connection = new StationConnection(client, mode, sandbox, {
      sandbox: options,
      unsent: () => this.unsentCount(),
      sync: this.sync,
      autoSync: options.sync?.autoStart !== false,
      forget: () => this.customers.forget(),
      noteInUse: (apiUrl, inUse) => this.connections.noteInUse(apiUrl, inUse),
      announce: (connection) => this.events.emit('connection', connection),
      logger: this.logger,
    });
    this.simulatedTaps = new SimulatedTaps({
      reader: this.simulated,
      onSandbox: () => this.connection.isSandbox,
      taps: this.taps,
      desk: this.readerDesk,
      enrollment: this.enrollment,
    });
    this.labels = new LabelCheck({ enrollment: this.enrollment, queue: this.queue, client, refused: (outcome) => this.events.emit('tap', outcome) });

    this.unsubscribe.push(
      // A customer number typed offline is checked with Spirii before its tokens are sent; once
      // Spirii confirms it, the desk shows the customer's name instead of "not verified".
      this.enrollmentDefaults.onChange((d) => {
        if (!d.customerUnverified || d.customerId === null) return;
        const known = this.customers.cachedName(d.customerId);
        if (known !== null) this.enrollmentDefaults.update({ customerName: known, customerUnverified: false });
        else this.customers.markUnverified(d.customerId);
      }),
      this.customers.onVerified((customers) => {
        const d = this.enrollmentDefaults.value;
        const found = customers.find((c) => c.id === d.customerId);
        if (found && d.customerUnverified) this.enrollmentDefaults.update({ customerName: found.name, customerUnverified: false });
      }),
      this.queue.onChange((tokens) => this.events.emit('queue', tokens)),
      // A replacement moves on when its new card's token changes state (synced, rejected, discarded).
      this.queue.onChange((tokens) => {
        if (this.replacements.concerns(tokens)) this.replacements.schedule();
      }),
      this.replacements.onChange((jobs) => this.events.emit('replacements', jobs)),
      this.changes.onChange((changes) => this.events.emit('changes', changes)),
      // ... and when its deactivation (a queued change) is sent, settled, or in conflict.
      this.changes.onChange((changes) => {
        if (this.replacements.concernsChanges(changes)) this.replacements.schedule();
      }),
      this.enrollment.onChange((view) => this.events.emit('enrollment', view)),
      this.enrollment.onOutcome((outcome) => {
        this.events.emit('tap', outcome);
        if (outcome.status === 'queued') this.sync.poke();
      }),
      this.readerDesk.on((event) => {
        if (event.type === 'refused') return this.events.emit('tap', event.outcome);
        this.events.emit('reader', event.update);
        this.events.emit('readers', this.readerDesk.status());
      }),
      this.readerSettings.onChange(() => this.events.emit('readers', this.readerDesk.status())),
      this.taps.on((event) => {
        if (event.type === 'card') this.events.emit('card', event.report);
        else if (event.type === 'replacement-card') this.events.emit('replacementCard', { uid: event.uid, source: event.source });
        else if (event.type === 'mode') this.logger.info('Tap mode', { mode: event.mode });
        else this.logger.error('Could not identify a tapped card', { uid: event.uid, error: event.error });
      }),
      this.sync.onStatus((status) => this.events.emit('sync', status)),
      this.preferences.onChange((preferences) => this.events.emit('preferences', preferences)),
      ...logStationActivity({ sync: this.sync, events: this.events, logger: this.logger }),
      this.events.on('tap', (outcome) => {
        if (outcome.status === 'queued') this.recordEnrollments([outcome.token]);
      }),
    );
    this.connections.noteInUse(this.apiUrl, this.mode);
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
      station.readerDesk.start();
      if (options.sync?.autoStart !== false) {
        station.sync.start();
        // A replacement a crash interrupted goes on where it was.
        station.replacements.schedule();
      }
      return station;
    } catch (error) {
      await sandbox?.close();
      db.close();
      throw error;
    }
  }

  /** A made-up card must never become a real token: simulated taps only on a sandbox API. */
  get simulatedTapsAllowed(): boolean {
    return this.simulatedTaps.allowed;
  }

  /** The API in use (its URL and key): what "test connection" checks for the built-in sandbox. */
  get apiConnection(): ApiConnection {
    return this.client.connection;
  }

  get apiUrl(): string {
    return this.client.connection.baseUrl;
  }

  get mode(): ConnectionMode {
    return this.connection.mode;
  }

  /** The built-in sandbox, while it is the connection in use. */
  get sandbox(): Sandbox | null {
    return this.connection.sandbox;
  }

  /** Tokens queued for the API in use that have not reached it (held, pending, sending, in doubt, rejected), and changes not yet settled. */
  unsentCount(): number {
    const counts = this.queue.counts();
    // A change names a token of this API by its id: it must never be sent to another.
    const changes = this.changes.counts();
    return counts.held + counts.pending + counts.sending + counts.in_doubt + counts.rejected + changes.pending + changes.sending + changes.in_doubt + changes.conflict;
  }

  /**
   * Switch to another API without a restart (refused while tokens queued for the current one are
   * unsent): the client, the customer directory and the sync worker follow.
   */
  reconfigure(target: ResolvedConnection): Promise<void> {
    return this.connection.switchTo(target);
  }

  /** The label for the card waiting for one, checked with Spirii first (it can never change it afterwards). */
  giveLabelChecked(label: string | null): Promise<TapOutcome> {
    return this.labels.give(label);
  }

  /**
   * One `enroll` entry per queued token, whoever queued it (a tap of any reader, the CLI's `add`,
   * an import's rows), in one transaction. The tokens are already queued: a trail that cannot be
   * written is logged, and never takes the tokens back.
   */
  private recordEnrollments(tokens: readonly QueuedToken[]): void {
    if (tokens.length === 0) return;
    try {
      this.db.transaction(() => {
        for (const { uid, label, customerId, id, source, comment } of tokens) {
          this.audit.record('enroll', { tokenId: id, label, customerId, comment, source, api: this.apiUrl }, uid);
        }
      })();
    } catch (error) {
      this.logger.error('Could not record the enrollment in the audit trail', { uid: tokens[0]!.uid, tokens: tokens.length, error });
    }
  }

  /** Tap the simulated reader with a given UID (parsed like any other) or a random one. */
  simulateTap(uid?: string): TapOutcome {
    return this.simulatedTaps.tap(uid);
  }

  /** Tap the simulated reader in replace mode: the card is named as the new one, nothing is queued. */
  simulateReplacementTap(uid?: string): { uid: string; source: string } {
    return this.simulatedTaps.replacementTap(uid);
  }

  /** Tap the simulated reader in identify mode: the card is identified, nothing is queued. */
  simulateIdentify(uid?: string): Promise<CardReport> {
    return this.simulatedTaps.identify(uid);
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribe) off();
    await this.replacements.close();
    await this.sync.stop();
    await this.readerDesk.stop();
    await this.connection.close();
    this.db.close();
  }
}
