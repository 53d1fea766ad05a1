/**
 * Enrollment: a tap becomes a queued token for the session's customer, with the session's
 * defaults and the next printed label. The token is on disk before the tap is reported queued.
 */
import { z } from 'zod';
import { DuplicateUidError, invalidField, labelUsedMessage, type QueuedToken, type TokenQueue } from './queue';
import { InvalidSettingError, SettingsSection, type SectionSpec, type Settings } from './settings';
import { CONTROL_CHARACTERS_MESSAGE, hasControlCharacters, type TokenSettings } from './token';
import { noControls, tokenSettingsShape } from './token-schema';
import { parseUid, randomUidRefusal } from './uid';
import { Listeners } from './events';
import { describeStorageProblem, storageCode } from './db/sqlite';
import type { ActionProblem, TapProblem } from './problem-detail';

/** The documented limit of a token's label (identifier.label). */
export const LABEL_MAX = 100;
/** A numbered label's prefix: room is left for the number. */
export const LABEL_PREFIX_MAX = 80;

export const enrollmentDefaultsShape = z.object({
  customerId: z.number().int().min(1).nullable(),
  customerName: z.string().max(200).nullable(),
  /**
   * The customer number was typed while Spirii could not be asked (a fresh install offline): its
   * tokens are checked against Spirii's customers before any is sent (customers.ts, sync worker).
   */
  customerUnverified: z.boolean(),
  labelPrefix: z.string().max(LABEL_PREFIX_MAX).refine(noControls, CONTROL_CHARACTERS_MESSAGE),
  labelNext: z.number().int().min(0).max(999_999_999),
  /** The number's width, zero-padded (`000123`); 0: no padding. */
  labelDigits: z.number().int().min(0).max(12),
  /** Printed after the number (`-B`); optional. */
  labelSuffix: z.string().max(80),
  /** A label of the number alone when there is neither prefix nor suffix (`100234`); off: such cards get no label. */
  labelPlain: z.boolean(),
  ...tokenSettingsShape,
  /** 'numbered': prefix + next number; 'typed': each card waits for its label to be typed or scanned. */
  labelMode: z.enum(['numbered', 'typed']),
});

/** Expiry must come after the start of validity, as Spirii requires. */
const expiresAfterValidFrom = (d: { validFrom?: string | null; expiresAt?: string | null }) =>
  !d.validFrom || !d.expiresAt || Date.parse(d.expiresAt) > Date.parse(d.validFrom);

export const enrollmentDefaultsSchema = enrollmentDefaultsShape
  .refine(expiresAfterValidFrom, {
    message: 'expiresAt must be after validFrom',
    path: ['expiresAt'],
  })
  .refine((d) => labelProblem(labelFor(d)) === null, {
    message: `the label must be at most 100 printable characters`,
    path: ['labelPrefix'],
  });

export type EnrollmentDefaults = z.infer<typeof enrollmentDefaultsShape>;

/** A card read in 'typed' label mode, not yet queued: it waits for the label printed on it. */
export interface AwaitingLabel {
  uid: string;
  customerId: number;
  /** When the card was read (ISO). */
  at: string;
}

/** The defaults as the window shows them: with the label the next card will get. */
export interface EnrollmentView extends EnrollmentDefaults {
  nextLabel: string | null;
  /** The labels of the next three cards (empty when cards get none), so the desk can match the printed box. */
  nextLabels: string[];
  awaitingLabel: AwaitingLabel | null;
}

/** What an undo did: the token is discarded, and its numbered label (if it was the last one given) will be used again. */
export interface UndoResult {
  removed: QueuedToken;
  labelReused: string | null;
}

export const DEFAULT_ENROLLMENT: EnrollmentDefaults = {
  customerId: null,
  customerName: null,
  customerUnverified: false,
  labelPrefix: '',
  labelNext: 1,
  labelDigits: 4,
  labelSuffix: '',
  labelPlain: false,
  validFrom: null,
  expiresAt: null,
  isActive: true,
  roamingEnabled: true,
  priorityChargingEnabled: true,
  billingReference: null,
  comment: null,
  labelMode: 'numbered',
};

/**
 * random-uid: a 4-byte UID starting with 08 (new at every tap); unreadable: a card whose UID could not be read (readers);
 * not-saved: the database did not take the write (a full disk): the card is not queued, tap it again once there is room;
 * label-used: the label is already on another card in this desk's queue or history (`existing`), or in Spirii (`detail`).
 */
export type TapRefusal = 'no-customer' | 'invalid-uid' | 'duplicate' | 'label-pending' | 'random-uid' | 'unreadable' | 'not-saved' | 'label-used';

export type TapOutcome =
  | { status: 'queued'; token: QueuedToken }
  /** `detail`: what the window needs to word `message` in its language, where `reason`, `uid` and `existing` are not enough. */
  | { status: 'refused'; reason: TapRefusal; uid: string | null; message: string; existing: QueuedToken | null; detail?: TapProblem }
  /**
   * 'typed' label mode: the card is read and waits, not queued, until its label is given
   * (Enrollment.giveLabel). Spirii cannot change a label after creation, so the token must not be
   * sendable before its label is known.
   */
  | { status: 'label-needed'; uid: string; message: string };

/** A default (or a typed label) refused; `detail` words it for the window. */
export class InvalidDefaultsError extends InvalidSettingError {}

/** The card waiting for its label in 'typed' mode, and the reader it came from. */
export type WaitingCard = AwaitingLabel & { source: string };

export const AWAITING_LABEL: SectionSpec<{ card: WaitingCard | null }> = {
  key: 'enrollment.awaitingLabel',
  subject: 'card waiting for its label',
  schema: z.object({ card: z.object({ uid: z.string(), customerId: z.number().int(), at: z.string(), source: z.string() }).nullable() }),
  defaults: { card: null },
};

export type AwaitingLabelSection = SettingsSection<{ card: WaitingCard | null }>;

export const awaitingLabelSection = (settings: Settings): AwaitingLabelSection => new SettingsSection(settings, AWAITING_LABEL);

export const ENROLLMENT_DEFAULTS: SectionSpec<EnrollmentDefaults> = {
  key: 'enrollment.defaults',
  subject: 'defaults',
  schema: enrollmentDefaultsSchema,
  defaults: DEFAULT_ENROLLMENT,
  error: InvalidDefaultsError,
  problem: (issue) => invalidField(issue, issue.path.join('.') === 'expiresAt' && issue.code === 'custom'),
};

export type EnrollmentDefaultsSection = SettingsSection<EnrollmentDefaults>;

export const enrollmentDefaultsSection = (settings: Settings): EnrollmentDefaultsSection => new SettingsSection(settings, ENROLLMENT_DEFAULTS);

/** A tap the database did not take: said as a refusal, so the desk sees the card was NOT saved. */
function notSaved(error: unknown, uid: string): TapOutcome {
  const problem = describeStorageProblem(error, 'the database');
  return { status: 'refused', reason: 'not-saved', uid, message: `Card ${uid} was NOT saved: ${problem}. Free some space, then tap it again.`, existing: null };
}

/** 'typed' label mode: a label given when no card waits for one (it was skipped, or given twice). */
export class NoCardWaitingError extends Error {
  readonly detail: ActionProblem = { key: 'no-card-waiting', params: {} };
}

type LabelPattern = Pick<EnrollmentDefaults, 'labelPrefix' | 'labelNext' | 'labelDigits'> &
  Partial<Pick<EnrollmentDefaults, 'labelMode' | 'labelSuffix' | 'labelPlain'>>;

/**
 * The label printed on the card: prefix + number (zero-padded to labelDigits, none when 0) + suffix.
 * None in typed mode, and none when there is neither prefix nor suffix unless plain numbers are chosen.
 */
export function labelFor(defaults: LabelPattern, offset = 0): string | null {
  const suffix = defaults.labelSuffix ?? '';
  if (defaults.labelMode === 'typed' || (!defaults.labelPrefix && !suffix && !defaults.labelPlain)) return null;
  return defaults.labelPrefix + String(defaults.labelNext + offset).padStart(defaults.labelDigits, '0') + suffix;
}

/**
 * Why Spirii would not take this label, or null. Spirii documents a label as printed text of at
 * most 100 characters; a control character (a scanner's stray Tab or CR) is never printed on a card
 * (the one rule of control characters, token.ts's hasControlCharacters).
 */
export function labelProblem(label: string | null): 'too-long' | 'unprintable' | null {
  if (label === null) return null;
  if (label.length > LABEL_MAX) return 'too-long';
  return hasControlCharacters(label) ? 'unprintable' : null;
}

/** What every token of the session is sent with, beside its UID, customer and label: for taps and imports alike. */
export function tokenSettingsOf(d: EnrollmentDefaults): TokenSettings {
  const { validFrom, expiresAt, isActive, roamingEnabled, priorityChargingEnabled, billingReference, comment } = d;
  return { validFrom, expiresAt, isActive, roamingEnabled, priorityChargingEnabled, billingReference, comment };
}

export class Enrollment {
  private waiting: WaitingCard | null = null;
  private readonly listeners = new Listeners<EnrollmentView>();
  private readonly outcomes = new Listeners<TapOutcome>();

  constructor(
    private readonly queue: TokenQueue,
    /** The session's defaults (customer, label numbering...): changed through the section itself. */
    private readonly defaults: EnrollmentDefaultsSection,
    /** Where the card waiting for its label is kept, so a reload or a restart still shows it (and refuses the next card); none: in memory only. */
    private readonly awaiting?: AwaitingLabelSection,
  ) {
    // A change of defaults (by a person, or the label number moving on) is a change of the view.
    defaults.onChange(() => this.listeners.emit(this.view));
    this.waiting = awaiting?.value.card ?? null;
  }

  get view(): EnrollmentView {
    const waiting = this.waiting && { uid: this.waiting.uid, customerId: this.waiting.customerId, at: this.waiting.at };
    const current = this.defaults.value;
    const nextLabels = [0, 1, 2].map((offset) => labelFor(current, offset)).filter((label) => label !== null);
    return { ...current, nextLabel: labelFor(current), nextLabels, awaitingLabel: waiting };
  }

  /** Told of every change, including the label number moving on after a tap. */
  onChange(listener: (view: EnrollmentView) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Told of every tap's outcome, whoever tapped (a reader, the window, the CLI, a script). */
  onOutcome(listener: (outcome: TapOutcome) => void): () => void {
    return this.outcomes.add(listener);
  }

  /**
   * A card was tapped (or a UID given): queue it, or say why not. `label` replaces the numbered
   * label (null for none); `customerId` replaces the session's customer for this token only.
   */
  tap(rawUid: string, source: string, overrides: { label?: string | null; customerId?: number } = {}): TapOutcome {
    const outcome = this.decide(rawUid, source, overrides);
    this.outcomes.emit(outcome);
    return outcome;
  }

  /**
   * The admission of a tap without its announcement, for a caller that queues the card as part of
   * a larger step in its own transaction (a replacement: the new card with the old token's
   * settings). The same rule as a tap: UID, random ID, customer, label used elsewhere, duplicate.
   */
  admit(rawUid: string, source: string, overrides: { label: string | null; customerId: number; settings: TokenSettings }): TapOutcome {
    return this.decide(rawUid, source, overrides);
  }

  private decide(rawUid: string, source: string, overrides: { label?: string | null; customerId?: number; settings?: TokenSettings }): TapOutcome {
    const { label } = overrides;
    const parsed = parseUid(rawUid);
    if (!parsed.ok) {
      return { status: 'refused', reason: 'invalid-uid', uid: null, message: parsed.error, existing: null, detail: { key: 'invalid-uid', params: { input: rawUid, problem: parsed.problem } } };
    }
    const uid = parsed.uid;
    const random = randomUidRefusal(uid);
    if (random) return { status: 'refused', reason: 'random-uid', uid, message: random, existing: null };
    const d = this.defaults.value;
    const customerId = overrides.customerId ?? d.customerId;
    if (customerId === null) {
      return { status: 'refused', reason: 'no-customer', uid, message: 'Choose a customer before tapping cards', existing: null };
    }
    if (label === undefined && d.labelMode === 'typed') return this.waitForLabel(uid, customerId, source);
    const numbered = label === undefined;
    const printed = numbered ? labelFor(d) : label;
    // Spirii can never change a label: one printed label on two cards is refused before it is queued.
    // The queue's one label rule, which `add` (a tap with its own label) and an import follow too.
    const sameLabel = this.queue.labelHolder(printed, uid);
    if (sameLabel) return { status: 'refused', reason: 'label-used', uid, message: labelUsedMessage(printed!, sameLabel), existing: sameLabel };
    // Take the label number before the insert: a crash in between skips a number, never reuses one.
    try {
      if (numbered && printed !== null) this.defaults.update({ labelNext: d.labelNext + 1 });
    } catch (error) {
      return notSaved(error, uid);
    }
    try {
      const token = this.queue.add({
        uid,
        customerId,
        label: printed,
        ...(overrides.settings ?? tokenSettingsOf(d)),
        source,
      });
      return { status: 'queued', token };
    } catch (error) {
      if (storageCode(error)) {
        try {
          if (numbered && printed !== null) this.defaults.update({ labelNext: d.labelNext });
        } catch {
          // The disk is still full: the number stays taken (skipped, never reused).
        }
        return notSaved(error, uid);
      }
      if (numbered && printed !== null) this.defaults.update({ labelNext: d.labelNext });
      if (!(error instanceof DuplicateUidError)) throw error;
      return { status: 'refused', reason: 'duplicate', uid, message: error.message, existing: error.existing };
    }
  }

  /** The label typed or scanned for the card waiting in 'typed' mode: the card is queued with it (null: no label). */
  giveLabel(label: string | null): TapOutcome {
    const waiting = this.waiting;
    if (!waiting) throw new NoCardWaitingError('No card is waiting for a label: tap a card first');
    const text = label?.trim() || null;
    if (text !== null && text.length > LABEL_MAX) {
      throw new InvalidDefaultsError(ENROLLMENT_DEFAULTS.key, 'label', `at most ${LABEL_MAX} characters`, { key: 'invalid-field', params: { field: 'label', max: LABEL_MAX, afterValidFrom: false } });
    }
    if (text !== null && hasControlCharacters(text)) {
      throw new InvalidDefaultsError(ENROLLMENT_DEFAULTS.key, 'label', CONTROL_CHARACTERS_MESSAGE, { key: 'invalid-field', params: { field: 'label', max: null, afterValidFrom: false } });
    }
    const outcome = this.decide(waiting.uid, waiting.source, { label: text, customerId: waiting.customerId });
    // A label already used leaves the card waiting, so the clerk can give the right one.
    if (outcome.status !== 'refused' || outcome.reason !== 'label-used') this.setWaiting(null);
    this.outcomes.emit(outcome);
    return outcome;
  }

  /**
   * Undo a tap in one step: the token (only on this computer) is discarded and, if it had the last
   * numbered label given, that number is given again to the next card.
   */
  undo(id: number): UndoResult {
    const removed = this.queue.discard(id);
    const d = this.defaults.value;
    let labelReused: string | null = null;
    if (d.labelMode === 'numbered' && d.labelNext > 0 && removed.label !== null && removed.label === labelFor({ ...d, labelNext: d.labelNext - 1 })) {
      this.defaults.update({ labelNext: d.labelNext - 1 });
      labelReused = removed.label;
    }
    return { removed, labelReused };
  }

  /** Forget the card waiting for its label: it is not enrolled. */
  skipLabel(): void {
    if (!this.waiting) return;
    this.setWaiting(null);
  }

  private setWaiting(card: WaitingCard | null): void {
    this.waiting = card;
    this.awaiting?.update({ card });
    this.listeners.emit(this.view);
  }

  private waitForLabel(uid: string, customerId: number, source: string): TapOutcome {
    if (this.waiting && this.waiting.uid !== uid) {
      return {
        status: 'refused',
        reason: 'label-pending',
        uid,
        message: `Card ${this.waiting.uid} is still waiting for its label: give it (or skip it) before the next card`,
        existing: null,
        detail: { key: 'label-pending', params: { waiting: this.waiting.uid } },
      };
    }
    // Refuse a duplicate now, before anyone types a label for it.
    const existing = this.queue.findByUid(uid);
    if (existing) return { status: 'refused', reason: 'duplicate', uid, message: new DuplicateUidError(existing).message, existing };
    this.setWaiting({ uid, customerId, source, at: this.waiting?.at ?? new Date().toISOString() });
    return { status: 'label-needed', uid, message: 'Type or scan the label printed on this card' };
  }
}
