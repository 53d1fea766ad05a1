/** The enrollment session: whose cards these are and how they are labelled, with the label form's calls; what the taps did and their undo are parts of their own. */
import { SvelteMap } from 'svelte/reactivity';
import { defineMessages } from '../lib/i18n.svelte';
import { describeError, station } from '../lib/station';
import type { Customer, EnrollmentDefaults, EnrollmentPatch, QueuedToken, TapOutcome } from '../lib/types';
import { CustomerSearch } from './customer-search.svelte';
import { TapOutcomes } from './tap-outcomes.svelte';
import { TapUndo } from './tap-undo.svelte';

export type { Alert, Batch, LastTap } from './tap-outcomes.svelte';

const t = defineMessages({
  en: {
    tapFailed: 'The tap could not be simulated: {error}',
    undoFailed: 'Could not undo: {error}',
    labelFailed: 'The label was not saved: {error}',
  },
  da: {
    tapFailed: 'Tap kunne ikke simuleres: {error}',
    undoFailed: 'Kunne ikke fortryde: {error}',
    labelFailed: 'Etiketten blev ikke gemt: {error}',
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

class EnrollState {
  defaults = $state.raw<EnrollmentDefaults | null>(null);
  /** A simulated tap is on its way. */
  tapping = $state(false);
  /** An undo or a label is on its way. */
  busy = $state(false);
  /** The last refusal of each field's change, in words. */
  errors = $state.raw<Partial<Record<DefaultsField, string>>>({});
  /** Why the last undo or typed label failed, in words. */
  actionError = $state<string | null>(null);
  /** What the taps did: the last one, the refusals not yet acknowledged, the batch. */
  readonly taps = new TapOutcomes();
  private readonly undoer = new TapUndo(this.taps);
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

  // The session's screens read the taps' and the undo's state here: one place to import, whichever part keeps it.
  get lastTap() {
    return this.taps.lastTap;
  }
  get alerts() {
    return this.taps.alerts;
  }
  get batch() {
    return this.taps.batch;
  }
  get lastAlarm() {
    return this.taps.lastAlarm;
  }
  get undoable(): QueuedToken | null {
    return this.undoer.undoable;
  }
  get lastQueued(): QueuedToken | null {
    return this.undoer.lastQueued;
  }
  get undoNote(): string | null {
    return this.undoer.note;
  }
  acknowledge(seq?: number): void {
    this.taps.acknowledge(seq);
  }
  startBatch(target: number): void {
    this.taps.startBatch(target);
  }
  endBatch(): void {
    this.taps.endBatch();
  }

  /** Changes to the defaults go out one after another, and a tap waits for them. */
  private chain: Promise<unknown> = Promise.resolve();

  async start(): Promise<() => void> {
    const stopTaps = station.on('tap', (outcome) => this.heard(outcome));
    // The core pushes every change of the defaults, including the label number moving on after a tap.
    const stopDefaults = station.on('enrollment', (defaults) => this.setDefaults(defaults));
    // Spirii's answer comes long after the tap: a refusal then is told as loudly as one at the tap.
    const stopQueue = station.on('queue', (tokens) => this.taps.heardQueue(tokens));
    this.setDefaults(await station.call('enrollment.get', {}));
    return () => {
      stopTaps();
      stopDefaults();
      stopQueue();
    };
  }

  /** Change some defaults; false (with the reason under the field) when the core refuses. */
  update(patch: EnrollmentPatch, field: DefaultsField): Promise<boolean> {
    // The value passed the window's own checks: an earlier refusal under the field no longer
    // says anything true while the save is on its way (the core's refusal puts one back).
    this.setError(field, null);
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
      if (!this.taps.isLast(outcome)) this.heard(outcome);
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
      if (!this.taps.isLast(outcome)) this.heard(outcome);
    }, 'labelFailed');
  }

  /** Forget the card waiting for its label: it is not enrolled. */
  async skipLabel(): Promise<boolean> {
    return this.act(async () => {
      this.setDefaults(await station.call('session.skipLabel', {}));
      this.taps.lastTap = null;
    }, 'labelFailed');
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

  /** Undo the last tap while its token is only on this computer; else say why not. */
  undo(): Promise<boolean> {
    return this.undoer.undo((run) => this.act(run, 'undoFailed'));
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

  /** A tap's outcome: what the last action said is old news. */
  private heard(outcome: TapOutcome): void {
    this.actionError = null;
    this.undoer.note = null;
    this.taps.heard(outcome);
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
