/** The enrollment session: whose cards these are, how they are labelled, and what the last tap did. */
import { SvelteMap } from 'svelte/reactivity';
import { describeError, station } from '../lib/station';
import type { Customer, EnrollmentDefaults, EnrollmentPatch, TapOutcome } from '../lib/types';

export type DefaultsField = 'customer' | 'labelPrefix' | 'labelNext';

export interface LastTap {
  outcome: TapOutcome;
  /** Epoch ms when the renderer heard of it. */
  at: number;
  /** Increases with every tap, so the panel can replay its highlight for a repeated card. */
  seq: number;
}

function outcomeKey(outcome: TapOutcome): string {
  return outcome.status === 'queued' ? `queued:${outcome.token.id}` : `refused:${outcome.uid}:${outcome.message}`;
}

const SEARCH_DELAY_MS = 250;

/** Customer search as you type: debounced, and an older answer never replaces a newer one. */
class CustomerSearch {
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
      this.error = `Could not search customers: ${describeError(error)}`;
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
  /** The last refusal of each field's change, in words. */
  errors = $state.raw<Partial<Record<DefaultsField, string>>>({});
  /** Customer names by id, from every search answer and the session's own customer. */
  readonly names = new SvelteMap<number, string>();
  readonly search = new CustomerSearch((customers) => {
    for (const customer of customers) this.names.set(customer.id, customer.name);
  });

  /** The label the next card gets, as the core will give it. */
  readonly nextLabel = $derived(this.defaults?.nextLabel ?? null);
  readonly hasCustomer = $derived(this.defaults?.customerId != null);

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
      this.lastTap = {
        outcome: { status: 'refused', reason: 'invalid-uid', uid: null, message: `The tap could not be simulated: ${describeError(error)}`, existing: null },
        at: Date.now(),
        seq: ++this.tapSeq,
      };
    } finally {
      this.tapping = false;
    }
  }

  /** The customer's name when this screen has seen it, else null. */
  customerName(id: number): string | null {
    return this.names.get(id) ?? null;
  }

  private heard(outcome: TapOutcome): void {
    this.lastTap = { outcome, at: Date.now(), seq: ++this.tapSeq };
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
