/** What the session's taps did: the last one (with its tone), the refusals not yet acknowledged, and the batch's count. */
import { play, type Cue } from '../lib/sound';
import type { QueuedToken, TapOutcome } from '../lib/types';
import { preferences } from './preferences.svelte';
import { session } from './session.svelte';

export interface LastTap {
  outcome: TapOutcome;
  /** Epoch ms when the renderer heard of it. */
  at: number;
  /** Increases with every tap, so the panel can replay its highlight for a repeated card. */
  seq: number;
  /** The tone played for it: null when sound is off or not yet allowed. */
  cue: Cue | null;
}

/**
 * An outcome the clerk must see even with eyes on the card box: a card refused here, or refused by
 * Spirii after it was saved. It stays in the list until acknowledged; the next tap never hides it.
 * Only ids and what was said: the token itself is read from the queue cache (no copy of the queue).
 */
export interface Alert {
  seq: number;
  at: number;
  kind: 'refused-here' | 'refused-by-spirii';
  uid: string | null;
  /** The refused tap (refused here). */
  refusal: Extract<TapOutcome, { status: 'refused' }> | null;
  /** The session's token Spirii refused. */
  tokenId: number | null;
}

/** What a batch with a target has done so far. */
export interface Batch {
  target: number;
  startedAt: number;
  /** Tokens queued in this batch (ids), and refused taps. */
  queued: number[];
  refused: Extract<TapOutcome, { status: 'refused' }>[];
  labels: string[];
  done: boolean;
}

/** One outcome told twice (the `tap` event and the call's answer) has one key. */
export function outcomeKey(outcome: TapOutcome): string {
  if (outcome.status === 'queued') return `queued:${outcome.token.id}`;
  return `${outcome.status}:${outcome.uid}:${outcome.message}`;
}

function cueOf(outcome: TapOutcome): Cue {
  if (outcome.status === 'queued') return 'ok';
  return outcome.status === 'label-needed' ? 'attention' : 'bad';
}

export class TapOutcomes {
  lastTap = $state.raw<LastTap | null>(null);
  /** Refusals (here or by Spirii) not yet acknowledged, newest first. */
  alerts = $state.raw<Alert[]>([]);
  /** The batch with a target ("Enroll 20 cards"), while one runs or until its summary is closed. */
  batch = $state.raw<Batch | null>(null);
  /** The last late alarm (a refusal by Spirii): when, and whether its tone was played. */
  lastAlarm = $state.raw<{ at: number; cue: Cue | null } | null>(null);
  /** Session tokens already known as refused by Spirii (so one refusal is told once). */
  private readonly toldRejected = new Set<number>();
  private alertSeq = 0;
  private tapSeq = 0;

  /** A tap's outcome: its tone, an alert when refused, and the batch's count. */
  heard(outcome: TapOutcome): void {
    let cue = cueOf(outcome);
    if (outcome.status === 'refused') {
      this.alerts = [{ seq: ++this.alertSeq, at: Date.now(), kind: 'refused-here', uid: outcome.uid, refusal: outcome, tokenId: null }, ...this.alerts];
    }
    const batch = this.batch;
    if (batch && !batch.done) {
      if (outcome.status === 'queued' && !batch.queued.includes(outcome.token.id)) {
        const queued = [...batch.queued, outcome.token.id];
        const labels = outcome.token.label ? [...batch.labels, outcome.token.label] : batch.labels;
        const done = queued.length >= batch.target;
        this.batch = { ...batch, queued, labels, done };
        if (done) cue = 'done';
      } else if (outcome.status === 'refused') {
        this.batch = { ...batch, refused: [...batch.refused, outcome] };
      }
    }
    const played = preferences.value.sound && play(cue);
    this.lastTap = { outcome, at: Date.now(), seq: ++this.tapSeq, cue: played ? cue : null };
  }

  /** Whether this outcome is the last one heard (the `tap` event normally comes before the call's answer). */
  isLast(outcome: TapOutcome): boolean {
    return this.lastTap !== null && outcomeKey(this.lastTap.outcome) === outcomeKey(outcome);
  }

  /** A session token newly refused by Spirii: its own alarm, and an entry that stays until acknowledged. */
  heardQueue(tokens: readonly QueuedToken[]): void {
    const since = session.startedAt;
    let refused = false;
    for (const token of tokens) {
      if (token.state !== 'rejected' || (since !== null && token.createdAt < since) || this.toldRejected.has(token.id)) continue;
      this.toldRejected.add(token.id);
      this.alerts = [{ seq: ++this.alertSeq, at: Date.now(), kind: 'refused-by-spirii', uid: token.uid, refusal: null, tokenId: token.id }, ...this.alerts];
      refused = true;
    }
    for (const token of tokens) if (token.state !== 'rejected') this.toldRejected.delete(token.id);
    if (refused) {
      const played = preferences.value.sound && play('spirii-refused');
      this.lastAlarm = { at: Date.now(), cue: played ? 'spirii-refused' : null };
    }
  }

  /** An undone token no longer counts in the batch, and its label is free again. */
  removed(token: QueuedToken): void {
    if (this.batch) this.batch = { ...this.batch, queued: this.batch.queued.filter((id) => id !== token.id), labels: this.batch.labels.filter((label) => label !== token.label) };
  }

  /** The clerk has seen this refusal (or all of them). */
  acknowledge(seq?: number): void {
    this.alerts = seq === undefined ? [] : this.alerts.filter((alert) => alert.seq !== seq);
  }

  /** Start a batch: "Enroll N cards"; the counter counts cards queued, never refused taps. */
  startBatch(target: number): void {
    this.batch = { target, startedAt: Date.now(), queued: [], refused: [], labels: [], done: false };
  }

  endBatch(): void {
    this.batch = null;
  }
}
