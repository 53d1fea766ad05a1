/**
 * The desk's readers as one: every source (PC/SC, HID, simulated), the desk's choice of reader,
 * one tap per card (a card held on the reader, or back within the repeat window, enrolls once),
 * the last card and the last error with what to do about it, and the reader settings.
 */
import { z } from 'zod';
import type { TapOutcome } from '../enrollment';
import { InvalidSettingError, SettingsSection, type SectionSpec, type Settings } from '../settings';
import { UID_FORMATS, uidFrom, type UidFormat } from '../uid';
import { READER_HINTS, readerHintKey, setupHintKeys, SETUP_HINTS } from './pcsc-codes';
import type { LastCard, LastCardDetail, ReaderError, ReaderEvent, ReaderInfo, ReaderSource, ReaderStatus } from './types';
import { SIMULATED_READER } from './simulated';
import { Listeners } from '../events';

export const readerSettingsShape = z.object({
  /** The chosen reader's name, or null for any reader. */
  reader: z.string().trim().max(200).nullable(),
  /** What keyboard-wedge (HID) readers type: see UID_FORMATS. */
  wedgeFormat: z.enum(UID_FORMATS),
  /** A card seen again within this many milliseconds of leaving the reader is the same tap. */
  repeatWindowMs: z.number().int().min(0).max(60_000),
  /** LED and buzzer on readers that have them (ACR122U, ACR1252U). */
  feedback: z.boolean(),
  /** HID readers to read through node-hid, as "VID:PID" in hex (e.g. "FFFF:0035"). */
  hidDevices: z.array(z.string().regex(/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/, 'VID:PID in hex, e.g. FFFF:0035')).max(20),
});

export type ReaderSettings = z.infer<typeof readerSettingsShape>;

export const DEFAULT_READER_SETTINGS: ReaderSettings = { reader: null, wedgeFormat: 'hex', repeatWindowMs: 2000, feedback: true, hidDevices: [] };

/** A reader setting refused. */
export class InvalidReaderSettingsError extends InvalidSettingError {}

export const READER_SETTINGS: SectionSpec<ReaderSettings> = {
  key: 'readers',
  subject: 'settings',
  schema: readerSettingsShape,
  defaults: DEFAULT_READER_SETTINGS,
  error: InvalidReaderSettingsError,
};

export type ReaderSettingsSection = SettingsSection<ReaderSettings>;

export const readerSettingsSection = (settings: Settings): ReaderSettingsSection => new SettingsSection(settings, READER_SETTINGS);

/** Keystrokes of a keyboard-wedge reader captured by the window (where the OS owns the keyboard). */
export const WINDOW_WEDGE: ReaderInfo = { name: 'Keyboard wedge (window)', kind: 'hid' };

/** What became of a UID a wedge typed: the tap's outcome, or why there was none (repeat, not chosen). */
export interface TypedResult {
  uid: string | null;
  outcome: TapOutcome | null;
  lastCard: LastCard | null;
}

/** The PC/SC index an OS appends to a reader's name (" 00 00" on Linux, " 0" on Windows). */
export function readerBaseName(name: string): string {
  return name.replace(/(\s+\d+)+$/, '').replace(/\s*\[[^\]]*\]$/, '').trim().toLowerCase();
}

/**
 * Does a reader match the desk's choice? The exact name when that reader is present; otherwise
 * the same reader whose name gained or changed its suffix (replugged, another USB port), or a
 * reader whose name contains what was chosen (`enroll --reader ACR122`).
 */
export function readerMatches(choice: string | null, reader: ReaderInfo, present: readonly ReaderInfo[]): boolean {
  if (choice === null || reader.kind === 'simulated') return true;
  const wanted = choice.toLowerCase();
  if (present.some((r) => r.name.toLowerCase() === wanted)) return reader.name.toLowerCase() === wanted;
  const name = reader.name.toLowerCase();
  return readerBaseName(reader.name) === readerBaseName(choice) || name.includes(wanted);
}

export interface ReaderDeskOptions {
  now?: () => number;
  platform?: NodeJS.Platform;
}

/**
 * Where the desk sends a card it accepts: the enrollment, or the station's tap router (the desk
 * never calls back up into the station). null: the card went to identification, nothing was queued.
 */
export interface Enroller {
  tap(uid: string, source: string): TapOutcome | null;
}

/** What the desk tells whoever listens: a reader update, or a tap refused before it reached enrollment. */
export type DeskEvent = { type: 'changed'; update: { event: ReaderEvent; readers: ReaderInfo[] } } | { type: 'refused'; outcome: TapOutcome };

export class ReaderDesk {
  private lastError: ReaderError | null = null;
  private lastCard: LastCard | null = null;
  private service: ReaderStatus['service'];
  /** When each UID was last on a reader (read, or taken off). */
  private readonly recent = new Map<string, number>();
  /** The UID on each reader now. */
  private readonly onReader = new Map<string, string>();
  private readonly now: () => number;
  private readonly platform: NodeJS.Platform;
  private readonly listeners = new Listeners<DeskEvent>();
  private readonly unsubscribe: (() => void)[] = [];

  /** A choice for this session only (the CLI's --reader); undefined: the stored setting. */
  override: string | null | undefined = undefined;

  constructor(
    /** Every reader adapter, built before the desk: the desk listens to all of them from start(). */
    private readonly sources: readonly ReaderSource[],
    private readonly settings: ReaderSettingsSection,
    private readonly enrollment: Enroller,
    options: ReaderDeskOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.platform = options.platform ?? process.platform;
    this.service = sources.some((s) => s.kind === 'pcsc') ? 'down' : 'off';
  }

  /** Listen to every reader adapter and start it. */
  start(): void {
    for (const source of this.sources) {
      this.unsubscribe.push(source.on((event) => this.handle(source, event)));
      source.start();
    }
  }

  /** Stop listening, then stop every adapter (what they report while stopping is not news). */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.all(this.sources.map((source) => source.stop()));
  }

  /** Reader updates and refusals that never reached enrollment (an unreadable card, a wedge typing nonsense). */
  on(listener: (event: DeskEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  /** The desk's reader settings as they are now (the section is changed by its owner, never here). */
  private get current(): ReaderSettings {
    return this.settings.value;
  }

  get chosen(): string | null {
    return this.override === undefined ? this.current.reader : this.override;
  }

  readers(): ReaderInfo[] {
    return this.sources.flatMap((source) => source.readers());
  }

  accepts(reader: ReaderInfo): boolean {
    return readerMatches(this.chosen, reader, this.readers());
  }

  status(): ReaderStatus {
    const readers = this.readers();
    return {
      readers,
      chosen: this.chosen,
      active: readers.filter((r) => readerMatches(this.chosen, r, readers)).map((r) => r.name),
      service: this.service,
      lastCard: this.lastCard,
      lastError: this.lastError,
      hints: setupHintKeys(this.platform).map((key) => SETUP_HINTS[key]),
      setup: setupHintKeys(this.platform),
    };
  }

  /** Every event of every source comes through here, synchronously: a card is queued before this returns. */
  handle(source: ReaderSource, event: ReaderEvent): void {
    const at = new Date(this.now()).toISOString();
    switch (event.type) {
      case 'error': {
        const hintKey = readerHintKey(event.code, this.platform);
        const hint = hintKey ? READER_HINTS[hintKey] : null;
        const hintDetail = hintKey ? { key: hintKey, params: {} } : null;
        this.lastError = { reader: event.reader?.name ?? null, message: event.message, code: event.code, hint, hintDetail, detail: event.detail ?? null, at };
        if (event.code === 'unavailable') this.service = 'off'; // PC/SC could not even load
        break;
      }
      case 'service':
        this.service = event.state;
        break;
      case 'card-removed': {
        const uid = this.onReader.get(event.reader.name);
        if (uid) this.recent.set(uid, this.now());
        this.onReader.delete(event.reader.name);
        break;
      }
      case 'detached':
        this.onReader.delete(event.reader.name);
        break;
      case 'unreadable': {
        if (!this.accepts(event.reader)) break;
        this.lastCard = {
          reader: event.reader.name,
          uid: null,
          cardType: event.cardType,
          card: event.card ?? null,
          at,
          outcome: 'unreadable',
          message: event.message,
          detail: event.detail ? { key: 'unreadable', params: { unreadable: event.detail } } : null,
        };
        this.changed(event);
        const outcome: TapOutcome = { status: 'refused', reason: 'unreadable', uid: null, message: event.message, existing: null };
        this.listeners.emit({ type: 'refused', outcome });
        if (this.current.feedback) source.signal?.(event.reader, false);
        return;
      }
      case 'card':
        void this.card(source, event, at);
        return;
    }
    this.changed(event);
  }

  /** A UID typed by a keyboard wedge into the window, in the configured (or given) format. */
  typed(value: string, format: UidFormat = this.current.wedgeFormat): TypedResult {
    const result = uidFrom(value.trim(), format);
    if (!result.ok) {
      const outcome: TapOutcome = { status: 'refused', reason: 'invalid-uid', uid: null, message: `Not a ${format} UID: ${result.error}`, existing: null };
      this.listeners.emit({ type: 'refused', outcome });
      return { uid: null, outcome, lastCard: this.lastCard };
    }
    const event = { type: 'card', reader: WINDOW_WEDGE, uid: result.uid, cardType: `keyboard wedge (${format})`, atr: null, card: { key: 'wedge', params: { format } } } as const;
    const outcome = this.card(null, event, new Date(this.now()).toISOString());
    return { uid: result.uid, outcome, lastCard: this.lastCard };
  }

  /**
   * A press of the simulated reader's button (the window's "Simulate tap", `enroll --simulate`):
   * that reader's card and its removal, handled as any reader's; the outcome comes back directly.
   */
  simulate(source: ReaderSource, uid: string): TapOutcome | null {
    const event = { type: 'card', reader: SIMULATED_READER, uid, cardType: 'simulated', card: { key: 'simulated', params: {} } } as const;
    const outcome = this.card(source, event, new Date(this.now()).toISOString());
    this.handle(source, { type: 'card-removed', reader: SIMULATED_READER });
    return outcome;
  }

  private changed(event: ReaderEvent): void {
    this.listeners.emit({ type: 'changed', update: { event, readers: this.readers() } });
  }

  private card(source: ReaderSource | null, event: Extract<ReaderEvent, { type: 'card' }>, at: string): TapOutcome | null {
    const { reader, uid, cardType } = event;
    const seen: Omit<LastCard, 'outcome' | 'message' | 'detail'> = { reader: reader.name, uid, cardType, card: event.card ?? null, at };
    if (!this.accepts(reader)) {
      const detail = { key: 'ignored', params: { chosen: this.chosen } } as const;
      this.lastCard = { ...seen, outcome: 'ignored', message: `${reader.name} is not the chosen reader (${this.chosen})`, detail };
      this.changed(event);
      return null;
    }
    const now = this.now();
    const last = this.recent.get(uid);
    this.recent.set(uid, now);
    if (reader.kind !== 'simulated') this.onReader.set(reader.name, uid);
    if (this.recent.size > 5000) this.forgetOlderThan(now - 60_000);
    // The simulated reader is a button: each press is meant as a tap.
    if (reader.kind !== 'simulated' && last !== undefined && now - last < this.current.repeatWindowMs) {
      const seconds = this.current.repeatWindowMs / 1000;
      this.lastCard = { ...seen, outcome: 'repeat', message: `The same card again within ${seconds} s: one tap.`, detail: { key: 'repeat', params: { seconds } } };
      this.changed(event);
      return null;
    }
    const outcome = this.enrollment.tap(uid, `${reader.kind}:${reader.name}`);
    if (outcome === null) {
      this.lastCard = { ...seen, outcome: 'identified', message: null, detail: null };
      this.changed(event);
      if (this.current.feedback) source?.signal?.(reader, true);
      return null;
    }
    this.lastCard = { ...seen, outcome: outcome.status, message: outcome.status === 'queued' ? null : outcome.message, detail: cardDetail(outcome) };
    this.changed(event);
    if (this.current.feedback) source?.signal?.(reader, outcome.status !== 'refused');
    return outcome;
  }

  private forgetOlderThan(time: number): void {
    for (const [uid, seen] of this.recent) if (seen < time) this.recent.delete(uid);
  }
}

/** Why a tap ended as it did, machine-readable, for the last card. */
function cardDetail(outcome: TapOutcome): LastCardDetail | null {
  if (outcome.status === 'refused') return { key: 'refused', params: { reason: outcome.reason, existing: outcome.existing } };
  if (outcome.status === 'label-needed') return { key: 'label-needed', params: {} };
  return null;
}
