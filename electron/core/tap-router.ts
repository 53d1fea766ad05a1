/**
 * What a tap does: enroll the card (the default), identify it, enrolling nothing, while the
 * window's Identify screen shows, or (replace mode) name the new card of a replacement, which the
 * window then confirms with its label: the tap itself queues nothing. The router is the reader desk's Enroller: the desk hands it every
 * card it accepts and the router sends it on, to enrollment or to identification. The path stays
 * one way (adapters -> desk -> router -> enrollment or identification) and what identification
 * found goes out as events; nothing calls back up into the station.
 */
import type { CardIdentifier, CardReport } from './card';
import type { TapOutcome } from './enrollment';
import { Listeners } from './events';
import type { Enroller } from './readers/desk';

export const TAP_MODES = ['enroll', 'identify', 'replace'] as const;
export type TapMode = (typeof TAP_MODES)[number];

/** What the router tells whoever listens: a card identified (first the desk's own answer, then Spirii's), an identification that failed, a change of mode. */
export type TapRouterEvent =
  | { type: 'card'; report: CardReport }
  | { type: 'failed'; uid: string; error: unknown }
  | { type: 'mode'; mode: TapMode }
  /** Replace mode: the card tapped to replace a lost one (nothing is queued until the window confirms). */
  | { type: 'replacement-card'; uid: string; source: string };

export class TapRouter implements Enroller {
  private current: TapMode = 'enroll';
  private last: Promise<CardReport> | null = null;
  private lastReplacement: { uid: string; source: string } | null = null;
  private readonly listeners = new Listeners<TapRouterEvent>();

  constructor(
    /** Where an enroll-mode tap goes: the enrollment (which announces its own outcome). */
    private readonly enrollment: Enroller,
    private readonly identifier: Pick<CardIdentifier, 'identify'>,
  ) {}

  get mode(): TapMode {
    return this.current;
  }

  setMode(mode: TapMode): TapMode {
    if (mode !== this.current) {
      this.current = mode;
      this.listeners.emit({ type: 'mode', mode });
    }
    return mode;
  }

  on(listener: (event: TapRouterEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  /** A card the desk accepted: enrolled, or (identify mode) identified, returning null: nothing was queued. */
  tap(uid: string, source: string): TapOutcome | null {
    if (this.current === 'enroll') return this.enrollment.tap(uid, source);
    if (this.current === 'replace') {
      this.lastReplacement = { uid, source };
      this.listeners.emit({ type: 'replacement-card', uid, source });
      return null;
    }
    const identified = this.identifyTap(uid, source);
    identified.catch(() => {}); // announced as a 'failed' event; whoever awaits `lastIdentification` sees it too
    this.last = identified;
    return null;
  }

  /** The card the last replace-mode tap named. */
  get lastReplacementCard(): { uid: string; source: string } | null {
    return this.lastReplacement;
  }

  /** The identification the last identify-mode tap started (a simulated tap's caller waits on it). */
  get lastIdentification(): Promise<CardReport> | null {
    return this.last;
  }

  /** Identify a card from a UID or a label (the window's search, a scan): the reports go out as 'card' events too. */
  async identify(query: string, source = 'search'): Promise<CardReport> {
    const report = await this.identifier.identify(query, { source, onLocal: (local) => this.listeners.emit({ type: 'card', report: local }) });
    this.listeners.emit({ type: 'card', report });
    return report;
  }

  private async identifyTap(uid: string, source: string): Promise<CardReport> {
    try {
      const report = await this.identifier.identify(uid, { source, uidOnly: true, onLocal: (local) => this.listeners.emit({ type: 'card', report: local }) });
      this.listeners.emit({ type: 'card', report });
      return report;
    } catch (error) {
      this.listeners.emit({ type: 'failed', uid, error });
      throw error;
    }
  }
}
