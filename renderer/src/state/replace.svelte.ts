/**
 * Replacing a lost card from the Cards screen: the old card is the one identified; the next tap
 * (the core's tap mode 'replace') names the new card, the clerk gives its label and confirms, and
 * the job's progress comes back as 'replacements' events. Nothing is queued before the confirmation.
 */
import { describeError, station } from '../lib/station';
import type { CallOutput, EventPayload } from '../lib/types';
import { card, type CardReport } from './card.svelte';

export type Replacement = EventPayload<'replacements'>[number];
export type ReplaceRefusal = Extract<CallOutput<'replace.start'>, { ok: false }>;

export interface OldCard {
  uid: string;
  label: string | null;
  customerId: number;
  customerName: string | null;
}

class ReplaceState {
  /** The card being replaced (null: no replacement under way in this window). */
  old = $state.raw<OldCard | null>(null);
  /** waiting: for the new card's tap; confirm: the new card is known, its label asked. */
  step = $state<'waiting' | 'confirm' | null>(null);
  newUid = $state<string | null>(null);
  label = $state('');
  refusal = $state.raw<ReplaceRefusal | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  /** Every replacement of this desk, newest first. */
  jobs = $state.raw<Replacement[]>([]);
  /** The job this window started last: its progress is shown. */
  startedId = $state<number | null>(null);
  private stopTap: (() => void) | null = null;

  /** Follow the jobs while the Cards screen shows. */
  watch(): () => void {
    const stop = station.on('replacements', (jobs) => {
      this.jobs = jobs;
      // The card shown was replaced: show it as Spirii has it now (inactive), not as it was.
      const shown = card.report;
      if (shown?.uid && shown.spirii?.isActive && jobs.some((job) => job.oldUid === shown.uid && job.state === 'done')) void card.identify(shown.uid);
    });
    void station
      .call('replace.list', {})
      .then((jobs) => (this.jobs = jobs))
      .catch((error: unknown) => (this.error = describeError(error)));
    return () => {
      stop();
      // The Identify panel's own cleanup puts taps back to enrolling: the mode is not touched here.
      if (this.step !== null) this.finish(false);
    };
  }

  /** Start replacing the card shown: taps now name the new card. */
  async begin(report: CardReport, suggestedLabel: string | null): Promise<void> {
    if (!report.uid || !report.spirii) return;
    this.old = { uid: report.uid, label: report.spirii.identifier.label ?? null, customerId: report.spirii.customerId, customerName: report.customerName };
    this.step = 'waiting';
    this.newUid = null;
    this.label = suggestedLabel ?? '';
    this.refusal = null;
    this.error = null;
    this.stopTap?.();
    this.stopTap = station.on('replacementCard', (card) => this.named(card.uid));
    try {
      await station.call('card.mode', { mode: 'replace' });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** The new card typed or scanned instead of tapped. */
  named(uid: string): void {
    if (this.step === null) return;
    this.newUid = uid;
    this.refusal = null;
    this.step = 'confirm';
  }

  /** Another new card than the one tapped: wait for the next tap. */
  again(): void {
    if (this.step === null) return;
    this.newUid = null;
    this.refusal = null;
    this.step = 'waiting';
  }

  async simulateTap(): Promise<void> {
    try {
      await station.call('card.simulateReplacementTap', {});
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async confirm(): Promise<void> {
    const old = this.old;
    const newUid = this.newUid;
    if (!old || !newUid || this.busy) return;
    this.busy = true;
    try {
      const result = await station.call('replace.start', { old: old.uid, newUid, label: this.label.trim() || null, source: 'window' });
      if (result.ok) {
        this.startedId = result.job.id;
        this.jobs = [result.job, ...this.jobs.filter((j) => j.id !== result.job.id)];
        this.finish();
      } else {
        this.refusal = result;
      }
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  async deactivateAnyway(id: number): Promise<void> {
    try {
      const job = await station.call('replace.deactivateAnyway', { id });
      this.jobs = this.jobs.map((j) => (j.id === job.id ? job : j));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Give up before confirming: nothing was queued; taps identify cards again. */
  cancel(): void {
    if (this.step === null) return;
    this.finish();
  }

  private finish(identifyAgain = true): void {
    this.stopTap?.();
    this.stopTap = null;
    this.step = null;
    this.old = null;
    this.newUid = null;
    this.refusal = null;
    if (!identifyAgain) return;
    void station.call('card.mode', { mode: 'identify' }).catch((error: unknown) => (this.error = describeError(error)));
  }
}

export const replacing = new ReplaceState();
