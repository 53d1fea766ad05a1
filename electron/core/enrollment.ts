/**
 * Enrollment: a tap becomes a queued token for the session's customer, with the session's
 * defaults and the next printed label. The token is on disk before the tap is reported queued.
 */
import { z } from 'zod';
import { DuplicateUidError, invalidField, type QueuedToken, type TokenQueue } from './queue';
import type { Settings } from './settings';
import { TEXT_FIELD_MAX } from './token';
import { parseUid, randomUidRefusal } from './uid';
import { Listeners } from './events';
import type { ActionProblem, TapProblem } from './problem';

const optionalText = z.string().trim().max(TEXT_FIELD_MAX, `at most ${TEXT_FIELD_MAX} characters`).nullable();
const dateTime = z.iso.datetime({ offset: true, message: 'an ISO date-time such as 2026-01-31T00:00:00Z' }).nullable();

export const enrollmentDefaultsShape = z.object({
  customerId: z.number().int().min(1).nullable(),
  customerName: z.string().max(200).nullable(),
  labelPrefix: z.string().max(80),
  labelNext: z.number().int().min(0).max(999_999_999),
  /** The number's width, zero-padded (`000123`); 0: no padding. */
  labelDigits: z.number().int().min(0).max(12),
  /** Printed after the number (`-B`); optional. */
  labelSuffix: z.string().max(80),
  /** A label of the number alone when there is neither prefix nor suffix (`100234`); off: such cards get no label. */
  labelPlain: z.boolean(),
  validFrom: dateTime,
  expiresAt: dateTime,
  isActive: z.boolean(),
  roamingEnabled: z.boolean(),
  priorityChargingEnabled: z.boolean(),
  billingReference: optionalText,
  comment: optionalText,
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

/** The documented limit of a token's label (identifier.label). */
export const LABEL_MAX = 100;

export const DEFAULT_ENROLLMENT: EnrollmentDefaults = {
  customerId: null,
  customerName: null,
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

/** random-uid: a 4-byte UID starting with 08 (new at every tap); unreadable: a card whose UID could not be read (readers). */
/** label-used: the label is already on another card in this desk's queue or history (`existing`). */
export type TapRefusal = 'no-customer' | 'invalid-uid' | 'duplicate' | 'label-pending' | 'random-uid' | 'unreadable' | 'label-used';

export type TapOutcome =
  | { status: 'queued'; token: QueuedToken }
  /** `detail`: what the window needs to word `message` in its language, where `reason`, `uid` and `existing` are not enough. */
  | { status: 'refused'; reason: TapRefusal; uid: string | null; message: string; existing: QueuedToken | null; detail?: TapProblem }
  /**
   * 'typed' label mode: the card is read and held, not queued, until its label is given
   * (Enrollment.giveLabel). Spirii cannot change a label after creation, so the token must not be
   * sendable before its label is known.
   */
  | { status: 'label-needed'; uid: string; message: string };

const SETTINGS_KEY = 'enrollment.defaults';
/** The card waiting for its label, kept so a reload or a restart still shows it (and refuses the next card). */
const HELD_KEY = 'enrollment.awaitingLabel';

export class InvalidDefaultsError extends Error {
  constructor(
    message: string,
    /** The same, for the window to word in its language. */
    readonly detail?: ActionProblem,
  ) {
    super(message);
  }
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
 * most 100 characters; a control character (a scanner's stray Tab or CR) is never printed on a card.
 */
export function labelProblem(label: string | null): 'too-long' | 'unprintable' | null {
  if (label === null) return null;
  if (label.length > LABEL_MAX) return 'too-long';
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(label) ? 'unprintable' : null;
}

export class Enrollment {
  private current: EnrollmentDefaults;
  private held: (AwaitingLabel & { source: string }) | null = null;
  private readonly listeners = new Listeners<EnrollmentView>();

  constructor(
    private readonly queue: TokenQueue,
    private readonly settings: Settings,
  ) {
    const stored = enrollmentDefaultsSchema.safeParse({ ...DEFAULT_ENROLLMENT, ...settings.get<object>(SETTINGS_KEY, {}) });
    this.current = stored.success ? stored.data : DEFAULT_ENROLLMENT;
    const held = settings.get<(AwaitingLabel & { source: string }) | null>(HELD_KEY, null);
    this.held = held && typeof held.uid === 'string' && typeof held.customerId === 'number' ? held : null;
  }

  get defaults(): EnrollmentDefaults {
    return { ...this.current };
  }

  get view(): EnrollmentView {
    const held = this.held && { uid: this.held.uid, customerId: this.held.customerId, at: this.held.at };
    const nextLabels = [0, 1, 2].map((offset) => labelFor(this.current, offset)).filter((label) => label !== null);
    return { ...this.current, nextLabel: labelFor(this.current), nextLabels, awaitingLabel: held };
  }

  /** Told of every change, including the label number moving on after a tap. */
  onChange(listener: (view: EnrollmentView) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Change some defaults; refused whole, with the field named, when any is invalid. */
  update(patch: Partial<EnrollmentDefaults>): EnrollmentDefaults {
    const result = enrollmentDefaultsSchema.safeParse({ ...this.current, ...patch });
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const detail = issue.path.join('.') === 'expiresAt' && issue.code === 'custom' ? invalidField(issue, true) : invalidField(issue);
      throw new InvalidDefaultsError(`${issue.path.join('.') || 'defaults'}: ${issue.message}`, detail);
    }
    this.current = result.data;
    this.settings.set(SETTINGS_KEY, this.current);
    this.listeners.emit(this.view);
    return this.defaults;
  }

  /**
   * A card was tapped (or a UID given): queue it, or say why not. `label` replaces the numbered
   * label (null for none); `customerId` replaces the session's customer for this token only.
   */
  tap(rawUid: string, source: string, overrides: { label?: string | null; customerId?: number } = {}): TapOutcome {
    const { label } = overrides;
    const parsed = parseUid(rawUid);
    if (!parsed.ok) {
      return { status: 'refused', reason: 'invalid-uid', uid: null, message: parsed.error, existing: null, detail: { key: 'invalid-uid', params: { input: rawUid, problem: parsed.problem } } };
    }
    const uid = parsed.uid;
    const random = randomUidRefusal(uid);
    if (random) return { status: 'refused', reason: 'random-uid', uid, message: random, existing: null };
    const d = this.current;
    const customerId = overrides.customerId ?? d.customerId;
    if (customerId === null) {
      return { status: 'refused', reason: 'no-customer', uid, message: 'Choose a customer before tapping cards', existing: null };
    }
    if (label === undefined && d.labelMode === 'typed') return this.hold(uid, customerId, source);
    const numbered = label === undefined;
    const printed = numbered ? labelFor(d) : label;
    // Spirii can never change a label: one printed label on two cards is refused before it is queued.
    const sameLabel = printed === null ? undefined : this.queue.findByLabel(printed);
    if (sameLabel && sameLabel.uid !== uid) {
      return {
        status: 'refused',
        reason: 'label-used',
        uid,
        message: `Label ${printed} is already on card ${sameLabel.uid} (${sameLabel.state === 'synced' ? 'in Spirii' : 'in the queue'})`,
        existing: sameLabel,
      };
    }
    // Take the label number before the insert: a crash in between skips a number, never reuses one.
    if (numbered && printed !== null) this.update({ labelNext: d.labelNext + 1 });
    try {
      const token = this.queue.add({
        uid,
        customerId,
        label: printed,
        validFrom: d.validFrom,
        expiresAt: d.expiresAt,
        isActive: d.isActive,
        roamingEnabled: d.roamingEnabled,
        priorityChargingEnabled: d.priorityChargingEnabled,
        billingReference: d.billingReference,
        comment: d.comment,
        source,
      });
      return { status: 'queued', token };
    } catch (error) {
      if (numbered && printed !== null) this.update({ labelNext: d.labelNext });
      if (!(error instanceof DuplicateUidError)) throw error;
      return { status: 'refused', reason: 'duplicate', uid, message: error.message, existing: error.existing };
    }
  }

  /** The label typed or scanned for the card held in 'typed' mode: the card is queued with it (null: no label). */
  giveLabel(label: string | null): TapOutcome {
    const held = this.held;
    if (!held) throw new NoCardWaitingError('No card is waiting for a label: tap a card first');
    const text = label?.trim() || null;
    if (text !== null && text.length > LABEL_MAX) {
      throw new InvalidDefaultsError(`label: at most ${LABEL_MAX} characters`, { key: 'invalid-field', params: { field: 'label', max: LABEL_MAX, afterValidFrom: false } });
    }
    const outcome = this.tap(held.uid, held.source, { label: text, customerId: held.customerId });
    // A label already used leaves the card waiting, so the clerk can give the right one.
    if (outcome.status !== 'refused' || outcome.reason !== 'label-used') this.setHeld(null);
    return outcome;
  }

  /**
   * Undo a tap in one step: the token (only on this computer) is discarded and, if it had the last
   * numbered label given, that number is given again to the next card.
   */
  undo(id: number): UndoResult {
    const removed = this.queue.discard(id);
    const d = this.current;
    let labelReused: string | null = null;
    if (d.labelMode === 'numbered' && d.labelNext > 0 && removed.label !== null && removed.label === labelFor({ ...d, labelNext: d.labelNext - 1 })) {
      this.update({ labelNext: d.labelNext - 1 });
      labelReused = removed.label;
    }
    return { removed, labelReused };
  }

  /** Forget the card held for its label: it is not enrolled. */
  skipLabel(): void {
    if (!this.held) return;
    this.setHeld(null);
  }

  private setHeld(held: (AwaitingLabel & { source: string }) | null): void {
    this.held = held;
    this.settings.set(HELD_KEY, held);
    this.listeners.emit(this.view);
  }

  private hold(uid: string, customerId: number, source: string): TapOutcome {
    if (this.held && this.held.uid !== uid) {
      return {
        status: 'refused',
        reason: 'label-pending',
        uid,
        message: `Card ${this.held.uid} is still waiting for its label: give it (or skip it) before the next card`,
        existing: null,
        detail: { key: 'label-pending', params: { waiting: this.held.uid } },
      };
    }
    // Refuse a duplicate now, before anyone types a label for it.
    const existing = this.queue.findByUid(uid);
    if (existing) return { status: 'refused', reason: 'duplicate', uid, message: new DuplicateUidError(existing).message, existing };
    this.setHeld({ uid, customerId, source, at: this.held?.at ?? new Date().toISOString() });
    return { status: 'label-needed', uid, message: 'Type or scan the label printed on this card' };
  }
}
