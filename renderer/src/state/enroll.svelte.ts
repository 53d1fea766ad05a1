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
    undone: 'Undone: card {uid} is no longer in the queue.',
  },
  da: {
    searchFailed: 'Kunne ikke søge efter kunder: {error}',
    tapFailed: 'Tap kunne ikke simuleres: {error}',
    undoFailed: 'Kunne ikke fortryde: {error}',
    labelFailed: 'Etiketten blev ikke gemt: {error}',
    undone: 'Fortrudt: kort {uid} står ikke længere i køen.',
  },
});

export type DefaultsField =
  | 'customer'
  | 'labelPrefix'
  | 'labelNext'
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
    const current = session.rows.find((row) => row.id === outcome.token.id);
    return current?.state === 'pending' ? current : null;
  });

  private tapSeq = 0;
  /** Changes to the defaults go out one after another, and a tap waits for them. */
  private chain: Promise<unknown> = Promise.resolve();

  async start(): Promise<() => void> {
    const stopTaps = station.on('tap', (outcome) => this.heard(outcome));
    // The core pushes every change of the defaults, including the label number moving on after a tap.
    const stopDefaults = station.on('enrollment', (defaults) => this.setDefaults(defaults));
    this.setDefaults(await station.call('enrollment.get', {}));
    return () => {
      stopTaps();
      stopDefaults();
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
    return this.update({ customerId: customer.id, customerName: customer.name }, 'customer');
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

  /** Undo the last tap while its token is only on this computer; the label number goes back with it. */
  async undo(): Promise<boolean> {
    const token = this.undoable;
    if (!token) return false;
    return this.act(async () => {
      await station.call('queue.discard', { id: token.id });
      session.remove(token.id);
      queue.remove(token.id);
      this.lastTap = null;
      app.report(t('undone', { uid: token.uid }), 'info');
      app.refreshStatusSoon();
      const d = this.defaults;
      if (d && d.labelMode === 'numbered' && d.labelPrefix && d.labelNext > 0) {
        const previous = d.labelPrefix + String(d.labelNext - 1).padStart(d.labelDigits, '0');
        if (token.label === previous) await this.update({ labelNext: d.labelNext - 1 }, 'labelNext');
      }
    }, 'undoFailed');
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
    const cue = cueOf(outcome);
    const played = preferences.value.sound && play(cue);
    this.actionError = null;
    this.lastTap = { outcome, at: Date.now(), seq: ++this.tapSeq, cue: played ? cue : null };
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
