/**
 * The Cards screen: identifying a card (while it shows, the core's tap mode is 'identify', so a
 * tap enrolls nothing), the card handed to Enroll when it is unknown, and the handover list.
 */
import { describeError, station } from '../lib/station';
import type { CallInput, CallOutput, EventPayload } from '../lib/types';

export type CardReport = EventPayload<'card'>;
export type HandoverList = CallOutput<'handover.list'>;
export type HandoverBatch = CallOutput<'handover.batches'>[number];
export type HandoverScope = CallInput<'handover.list'>;

class CardState {
  /** The card shown: the last one tapped or searched. */
  report = $state.raw<CardReport | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  /** Whether the core is identifying taps now (the Identify tab is showing). */
  identifying = $state(false);
  /** An unknown card the clerk chose to enroll: the Enroll screen offers it, nothing is queued yet. */
  readyToEnroll = $state<string | null>(null);
  private seq = 0;

  /** Taps identify cards until the returned function is called (the Identify tab's lifetime). */
  async identifyTaps(): Promise<() => void> {
    const stop = station.on('card', (report) => this.heard(report));
    try {
      await station.call('card.mode', { mode: 'identify' });
      this.identifying = true;
    } catch (error) {
      this.error = describeError(error);
    }
    return () => {
      stop();
      this.identifying = false;
      // Back to enrolling as soon as the screen goes: the Enroll screen must never be deaf.
      void station.call('card.mode', { mode: 'enroll' }).catch((error: unknown) => (this.error = describeError(error)));
    };
  }

  async identify(query: string): Promise<void> {
    const text = query.trim();
    if (!text) return;
    await this.run(() => station.call('card.identify', { query: text.slice(0, 100) }));
  }

  async simulateTap(): Promise<void> {
    await this.run(() => station.call('card.simulateTap', {}));
  }

  /** Hand an unknown card to the Enroll screen: there the clerk sees the customer and label, and confirms. */
  offerToEnroll(uid: string): void {
    this.readyToEnroll = uid;
  }

  async enrollReady(): Promise<boolean> {
    const uid = this.readyToEnroll;
    if (!uid) return false;
    try {
      await station.call('card.enroll', { uid });
      this.readyToEnroll = null;
      return true;
    } catch (error) {
      this.error = describeError(error);
      return false;
    }
  }

  private async run(ask: () => Promise<CardReport>): Promise<void> {
    this.busy = true;
    const seq = ++this.seq;
    try {
      const report = await ask();
      if (seq === this.seq) this.report = report;
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private heard(report: CardReport): void {
    // A pending (desk-only) answer never replaces Spirii's answer about the same card.
    const current = this.report;
    if (report.spiriiSource === 'pending' && current && current.uid === report.uid && current.spiriiSource !== 'pending' && current.checkedAt > report.checkedAt) return;
    this.report = report;
  }
}

export const card = new CardState();

class HandoverState {
  list = $state.raw<HandoverList | null>(null);
  batches = $state.raw<HandoverBatch[]>([]);
  error = $state<string | null>(null);
  saved = $state<string | null>(null);
  busy = $state(false);

  async load(scope: HandoverScope): Promise<void> {
    try {
      this.list = await station.call('handover.list', scope);
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async loadBatches(): Promise<void> {
    try {
      this.batches = await station.call('handover.batches', {});
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async savePdf(scope: HandoverScope): Promise<void> {
    this.busy = true;
    this.saved = null;
    try {
      const result = await station.call('export.handover', scope);
      this.saved = result.status === 'done' ? result.fileName : null;
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }
}

export const handover = new HandoverState();
