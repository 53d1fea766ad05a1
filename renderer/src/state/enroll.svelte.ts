/** The enrollment session: whose cards these are, how they are labelled, and what the last tap did. */
import { SvelteMap } from 'svelte/reactivity';
import { defineMessages } from '../lib/i18n.svelte';
import { describeError, station } from '../lib/station';
import { play, type Cue } from '../lib/sound';
import type { Customer, EnrollmentDefaults, EnrollmentPatch, QueuedToken, TapOutcome } from '../lib/types';
import { app } from './app.svelte';
import { preferences } from './preferences.svelte';
import { queue } from './queue.svelte';
import { session } from './session.svelte';

const t = defineMessages({
  en: {
    searchFailed: 'Could not search customers: {error}',
    tapFailed: 'The tap could not be simulated: {error}',
    undoFailed: 'Could not undo: {error}',
    labelFailed: 'The label was not saved: {error}',
    undone: 'Removed card {uid}: it will not be sent to Spirii.',
    undoneLabel: 'Removed card {uid}; label {label} will be used again.',
    undoInSpirii: 'Card {uid} is already in Spirii: it cannot be undone here. Deactivate it on the Tokens screen.',
    undoSending: 'Card {uid} is being sent to Spirii right now: it cannot be undone. If it arrives, deactivate it on the Tokens screen.',
    undoInDoubt: 'Card {uid} was sent and Spirii has not answered yet: it cannot be undone now. Once it shows as enrolled, deactivate it on the Tokens screen.',
    undoNothing: 'Nothing to undo: no card was enrolled since the last undo.',
    batchDone: 'Batch done: {count} cards enrolled.',
  },
  da: {
    searchFailed: 'Kunne ikke søge efter kunder: {error}',
    tapFailed: 'Tap kunne ikke simuleres: {error}',
    undoFailed: 'Kunne ikke fortryde: {error}',
    labelFailed: 'Etiketten blev ikke gemt: {error}',
    undone: 'Kort {uid} er fjernet: det sendes ikke til Spirii.',
    undoneLabel: 'Kort {uid} er fjernet; etiketten {label} bruges igen.',
    undoInSpirii: 'Kort {uid} er allerede i Spirii: det kan ikke fortrydes her. Deaktiver det på skærmen Tokens.',
    undoSending: 'Kort {uid} sendes til Spirii lige nu: det kan ikke fortrydes. Når det er nået frem, kan det deaktiveres på skærmen Tokens.',
    undoInDoubt: 'Kort {uid} er sendt, og Spirii har endnu ikke svaret: det kan ikke fortrydes nu. Når det står som tilmeldt, kan det deaktiveres på skærmen Tokens.',
    undoNothing: 'Intet at fortryde: intet kort er tilmeldt siden sidste fortrydelse.',
    batchDone: 'Batchen er færdig: {count} kort tilmeldt.',
  },
});

export type DefaultsField =
  | 'customer'
  | 'labelPrefix'
  | 'labelNext'
  | 'labelSuffix'
  | 'labelDigits'
  | 'labelMode'
  | 'validFrom'
  | 'expiresAt'
  | 'isActive'
  | 'roamingEnabled'
  | 'priorityChargingEnabled'
  | 'billingReference'
  | 'comment';

export interface LastTap {
  outcome: TapOutcome;
  /** Epoch ms when the renderer heard of it. */
  at: number;
  /** Increases with every tap, so the panel can replay its highlight for a repeated card. */
  seq: number;
  /** The tone played for it: null when sound is off or not yet allowed. */
  cue: Cue | null;
}

function outcomeKey(outcome: TapOutcome): string {
  if (outcome.status === 'queued') return `queued:${outcome.token.id}`;
  return `${outcome.status}:${outcome.uid}:${outcome.message}`;
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

function cueOf(outcome: TapOutcome): Cue {
  if (outcome.status === 'queued') return 'ok';
  return outcome.status === 'label-needed' ? 'attention' : 'bad';
}

const SEARCH_DELAY_MS = 250;

/** Customer search as you type: debounced, and an older answer never replaces a newer one. */
export class CustomerSearch {
  query = $state('');
  results = $state.raw<Customer[]>([]);
  /** The query the results answer (null before the first answer). */
  answered = $state<string | null>(null);
  fromCache = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly remember: (customers: readonly Customer[]) => void) {}

  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.timer);
    const seq = ++this.seq;
    if (!query.trim()) {
      this.results = [];
      this.answered = null;
      this.busy = false;
      this.error = null;
      return;
    }
    this.busy = true;
    this.timer = setTimeout(() => void this.run(query, seq), SEARCH_DELAY_MS);
  }

  clear(): void {
    this.setQuery('');
  }

  private async run(query: string, seq: number): Promise<void> {
    try {
      const result = await station.call('customers.search', { search: query.trim().slice(0, 100) });
      if (seq !== this.seq) return;
      this.remember(result.customers);
      this.results = result.customers;
      this.fromCache = result.fromCache;
      this.error = null;
    } catch (error) {
      if (seq !== this.seq) return;
      this.results = [];
      this.error = t('searchFailed', { error: describeError(error) });
    }
    this.answered = query;
    this.busy = false;
  }
}

class EnrollState {
  defaults = $state.raw<EnrollmentDefaults | null>(null);
  lastTap = $state.raw<LastTap | null>(null);
  /** A simulated tap is on its way. */
  tapping = $state(false);
  /** An undo or a label is on its way. */
  busy = $state(false);
  /** The last refusal of each field's change, in words. */
  errors = $state.raw<Partial<Record<DefaultsField, string>>>({});
  /** Why the last undo or typed label failed, in words. */
  actionError = $state<string | null>(null);
  /** What the last Ctrl+Z did, or why it did nothing, in words. */
  undoNote = $state<string | null>(null);
  /** Refusals (here or by Spirii) not yet acknowledged, newest first. */
  alerts = $state.raw<Alert[]>([]);
  /** The batch with a target ("Enroll 20 cards"), while one runs or until its summary is closed. */
  batch = $state.raw<Batch | null>(null);
  /** Session tokens already known as refused by Spirii (so one refusal is told once). */
  private readonly toldRejected = new Set<number>();
  private alertSeq = 0;
  /** Customer names by id, from every search answer and the session's own customer. */
  readonly names = new SvelteMap<number, string>();
  readonly search = new CustomerSearch((customers) => {
    for (const customer of customers) this.names.set(customer.id, customer.name);
  });

  /** The label the next card gets, as the core will give it. */
  readonly nextLabel = $derived(this.defaults?.nextLabel ?? null);
  readonly hasCustomer = $derived(this.defaults?.customerId != null);
  readonly typedLabels = $derived(this.defaults?.labelMode === 'typed');
  /** A card read in typed-label mode, waiting for its label. */
  readonly awaiting = $derived(this.defaults?.awaitingLabel ?? null);

  /** The last queued token of this session, while it can still be undone (only on this computer). */
  readonly undoable = $derived.by((): QueuedToken | null => {
    const outcome = this.lastTap?.outcome;
    if (outcome?.status !== 'queued') return null;
    const current = queue.get(outcome.token.id);
    // Held (the hold period), waiting, or refused: all only on this computer, so all undoable.
    return current && ['held', 'pending', 'rejected'].includes(current.state) ? current : null;
  });

  private tapSeq = 0;
  /** The last late alarm (a refusal by Spirii): when, and whether its tone was played. */
  lastAlarm = $state.raw<{ at: number; cue: Cue | null } | null>(null);
  /** Changes to the defaults go out one after another, and a tap waits for them. */
  private chain: Promise<unknown> = Promise.resolve();

  async start(): Promise<() => void> {
    const stopTaps = station.on('tap', (outcome) => this.heard(outcome));
    // The core pushes every change of the defaults, including the label number moving on after a tap.
    const stopDefaults = station.on('enrollment', (defaults) => this.setDefaults(defaults));
    // Spirii's answer comes long after the tap: a refusal then is told as loudly as one at the tap.
    const stopQueue = station.on('queue', (tokens) => this.heardQueue(tokens));
    this.setDefaults(await station.call('enrollment.get', {}));
    return () => {
      stopTaps();
      stopDefaults();
      stopQueue();
    };
  }

  /** Change some defaults; false (with the reason under the field) when the core refuses. */
  update(patch: EnrollmentPatch, field: DefaultsField): Promise<boolean> {
    const run = async () => {
      try {
        this.setDefaults(await station.call('enrollment.update', patch));
        this.setError(field, null);
        return true;
      } catch (error) {
        this.setError(field, describeError(error));
        return false;
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result;
    return result;
  }

  /** A refusal found here, before asking the core (the same rule it applies). */
  refuse(field: DefaultsField, message: string): void {
    this.setError(field, message);
  }

  pickCustomer(customer: Customer): Promise<boolean> {
    this.names.set(customer.id, customer.name);
    return this.update({ customerId: customer.id, customerName: customer.name, customerUnverified: false }, 'customer');
  }

  /**
   * A customer number typed while Spirii cannot be asked (offline, nothing remembered): enrolled
   * as not verified; the core asks Spirii for it before any of its cards is sent.
   */
  pickUnverified(id: number): Promise<boolean> {
    return this.update({ customerId: id, customerName: null, customerUnverified: true }, 'customer');
  }

  /** Tap the simulated reader with a random card, once any change to the defaults is saved. */
  async simulateTap(): Promise<void> {
    if (this.tapping) return;
    this.tapping = true;
    try {
      await this.chain;
      const outcome = await station.call('readers.simulateTap', {});
      // The `tap` event normally arrives first; this covers a transport that drops it.
      if (!this.lastTap || outcomeKey(this.lastTap.outcome) !== outcomeKey(outcome)) this.heard(outcome);
    } catch (error) {
      this.heard({ status: 'refused', reason: 'invalid-uid', uid: null, message: t('tapFailed', { error: describeError(error) }), existing: null });
    } finally {
      this.tapping = false;
    }
  }

  /** The label typed or scanned for the card waiting for one (null: enroll it without a label). */
  async giveLabel(label: string | null): Promise<boolean> {
    return this.act(async () => {
      const outcome = await station.call('session.label', { label });
      if (!this.lastTap || outcomeKey(this.lastTap.outcome) !== outcomeKey(outcome)) this.heard(outcome);
    }, 'labelFailed');
  }

  /** Forget the card waiting for its label: it is not enrolled. */
  async skipLabel(): Promise<boolean> {
    return this.act(async () => {
      this.setDefaults(await station.call('session.skipLabel', {}));
      this.lastTap = null;
    }, 'labelFailed');
  }

  /**
   * The last tap's token as it is now, whatever its state (null when the last tap queued nothing):
   * what Ctrl+Z talks about.
   */
  readonly lastQueued = $derived.by((): QueuedToken | null => {
    const outcome = this.lastTap?.outcome;
    if (outcome?.status !== 'queued') return null;
    return queue.get(outcome.token.id) ?? outcome.token;
  });

  /**
   * Undo the last tap while its token is only on this computer, in one call to the core (the
   * token is discarded and its label number given again together). When it cannot be undone, say
   * why instead of doing nothing.
   */
  async undo(): Promise<boolean> {
    const token = this.undoable;
    if (!token) {
      const last = this.lastQueued;
      const note =
        last?.state === 'synced'
          ? t('undoInSpirii', { uid: last.uid })
          : last?.state === 'sending'
            ? t('undoSending', { uid: last.uid })
            : last?.state === 'in_doubt'
              ? t('undoInDoubt', { uid: last.uid })
              : t('undoNothing');
      this.undoNote = note;
      app.report(note, 'info');
      return false;
    }
    return this.act(async () => {
      const { removed, labelReused } = await station.call('session.undo', { id: token.id });
      queue.merge([removed]);
      if (this.batch) this.batch = { ...this.batch, queued: this.batch.queued.filter((id) => id !== removed.id), labels: this.batch.labels.filter((label) => label !== removed.label) };
      this.lastTap = null;
      const note = labelReused ? t('undoneLabel', { uid: removed.uid, label: labelReused }) : t('undone', { uid: removed.uid });
      this.undoNote = note;
      app.report(note, 'info');
      app.refreshStatusSoon();
    }, 'undoFailed');
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

  /** Correct the label of a token not yet sent. */
  async relabel(token: QueuedToken, label: string | null): Promise<boolean> {
    return this.act(async () => {
      await station.call('queue.edit', { id: token.id, patch: { label } });
    }, 'labelFailed');
  }

  /** The customer's name when this screen has seen it, else null. */
  customerName(id: number): string | null {
    return this.names.get(id) ?? null;
  }

  private async act(run: () => Promise<void>, failure: 'undoFailed' | 'labelFailed'): Promise<boolean> {
    this.busy = true;
    try {
      await run();
      this.actionError = null;
      return true;
    } catch (error) {
      this.actionError = t(failure, { error: describeError(error) });
      return false;
    } finally {
      this.busy = false;
    }
  }

  private heard(outcome: TapOutcome): void {
    let cue = cueOf(outcome);
    this.actionError = null;
    this.undoNote = null;
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

  /** A session token newly refused by Spirii: its own alarm, and an entry that stays until acknowledged. */
  private heardQueue(tokens: readonly QueuedToken[]): void {
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

  private setDefaults(defaults: EnrollmentDefaults): void {
    this.defaults = defaults;
    if (defaults.customerId !== null && defaults.customerName) this.names.set(defaults.customerId, defaults.customerName);
  }

  private setError(field: DefaultsField, message: string | null): void {
    const { [field]: _previous, ...rest } = this.errors;
    this.errors = message === null ? rest : { ...rest, [field]: message };
  }
}

export const enroll = new EnrollState();
