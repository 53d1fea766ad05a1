/**
 * The simulated reader's button, in each of the desk's tap modes (enroll, replace, identify): a
 * given UID (parsed like any other) or a random one, tapped only while the API is a sandbox.
 */
import type { Enrollment, TapOutcome } from './enrollment';
import type { CardReport } from './card';
import type { ReaderDesk } from './readers/desk';
import type { SimulatedReaders } from './readers/simulated';
import type { TapMode, TapRouter } from './tap-router';
import { parseUid, randomUid } from './uid';

export interface SimulatedTapParts {
  /** The simulated reader, or null when it is switched off. */
  reader: SimulatedReaders | null;
  /** Whether the API in use is a sandbox (a made-up card must never become a real token). */
  onSandbox: () => boolean;
  taps: Pick<TapRouter, 'mode' | 'lastReplacementCard' | 'lastIdentification'>;
  desk: Pick<ReaderDesk, 'simulate'>;
  enrollment: Pick<Enrollment, 'tap'>;
}

export class SimulatedTaps {
  constructor(private readonly parts: SimulatedTapParts) {}

  /** A made-up card must never become a real token: simulated taps only on a sandbox API. */
  get allowed(): boolean {
    return this.parts.reader !== null && this.parts.onSandbox();
  }

  /** Enroll mode: the card is tapped as any reader's; a UID that does not parse is refused as a tap's is. */
  tap(uid?: string): TapOutcome {
    const reader = this.readerFor('enroll', 'The desk is identifying cards: a tap enrolls nothing until Identify is closed.');
    if (uid !== undefined) {
      const parsed = parseUid(uid);
      if (!parsed.ok) return this.parts.enrollment.tap(uid, 'simulated');
      uid = parsed.uid;
    }
    const outcome = this.parts.desk.simulate(reader, uid ?? randomUid(7));
    // The simulated reader is always among the accepted ones and a press is never a repeat.
    if (!outcome) throw new Error('The simulated reader is not in use');
    return outcome;
  }

  /** Replace mode: the card is named as the new one, nothing is queued. */
  replacementTap(uid?: string): { uid: string; source: string } {
    const reader = this.readerFor('replace', 'Replace mode is off: a tap would not name a new card.');
    const target = cardUid(uid);
    const before = this.parts.taps.lastReplacementCard;
    this.parts.desk.simulate(reader, target);
    const named = this.parts.taps.lastReplacementCard;
    if (!named || named === before) throw new Error('The simulated tap did not reach the replacement');
    return named;
  }

  /** Identify mode: the card is identified, nothing is queued. */
  async identify(uid?: string): Promise<CardReport> {
    const reader = this.readerFor('identify', 'Identify mode is off: a tap would enroll the card.');
    const target = cardUid(uid);
    const before = this.parts.taps.lastIdentification;
    // Handled as any reader's card, synchronously: the router has started identifying it when this returns.
    const outcome = this.parts.desk.simulate(reader, target);
    const identified = this.parts.taps.lastIdentification;
    if (outcome !== null || !identified || identified === before) throw new Error('The simulated tap did not reach identification');
    return identified;
  }

  /** The reader, if a press may tap it now: switched on, on a sandbox API, and the desk in `mode`. */
  private readerFor(mode: TapMode, otherMode: string): SimulatedReaders {
    const { reader } = this.parts;
    if (!reader) throw new Error('The simulated reader is switched off');
    if (!this.allowed) throw new Error('The simulated reader works only on a sandbox API; tap a real card.');
    if (this.parts.taps.mode !== mode) throw new Error(otherMode);
    return reader;
  }
}

/** The UID to tap: the one given, parsed (refused if it is no UID), or a random one. */
function cardUid(uid: string | undefined): string {
  if (uid === undefined) return randomUid(7);
  const parsed = parseUid(uid);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.uid;
}
