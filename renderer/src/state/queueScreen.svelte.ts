/**
 * The Queue screen's state: which tokens the chosen filter shows (the core answers that), each as
 * the window's one queue cache has it now, and the desk's actions.
 */
import { describeError, station } from '../lib/station';
import { pluralForm } from '../lib/format';
import type { CallInput, QueuedToken, QueueState } from '../lib/types';
import { t } from '../lib/queue.messages';
import { queue } from './queue.svelte';

export type QueueFilter = QueueState | 'all';
export type TokenPatch = CallInput<'queue.edit'>['patch'];

export const SCREEN_LIMIT = 500;

class QueueScreen {
  filter = $state<QueueFilter>('all');
  search = $state('');
  /** The customer filter (the customer picker's choice), or null for every customer. */
  customerId = $state<number | null>(null);
  /** The tokens the core listed for the filter, newest first; their contents come from the cache. */
  private ids = $state.raw<number[]>([]);
  /**
   * The filter's rows as they are now. A token that has moved on to another state leaves a state
   * filter at once; one that newly matches comes with the next list (a `queue` event asks for it).
   */
  readonly rows = $derived.by((): QueuedToken[] => {
    const rows: QueuedToken[] = [];
    for (const id of this.ids) {
      const token = queue.get(id);
      if (token && (this.filter === 'all' ? token.state !== 'discarded' : token.state === this.filter)) rows.push(token);
    }
    return rows;
  });
  loaded = $state(false);
  /** An action is on its way. */
  busy = $state(false);
  /** What the last action did, or why it failed, in words. */
  message = $state.raw<{ tone: 'ok' | 'error'; text: string } | null>(null);
  /** The row in the edit dialog, and the one awaiting discard confirmation. */
  editing = $state.raw<QueuedToken | null>(null);
  discarding = $state.raw<QueuedToken | null>(null);
  editError = $state<string | null>(null);

  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private loadSeq = 0;

  /** Listen first, then load, so no change falls between the two. */
  start(): () => void {
    const stop = station.on('queue', () => this.reloadSoon());
    void this.load();
    return () => {
      stop();
      clearTimeout(this.reloadTimer);
    };
  }

  setFilter(filter: QueueFilter): void {
    this.filter = filter;
    void this.load();
  }

  setCustomer(customerId: number | null): void {
    this.customerId = customerId;
    void this.load();
  }

  setSearch(search: string): void {
    this.search = search;
    this.reloadSoon(150);
  }

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    try {
      const rows = await station.call('queue.list', {
        limit: SCREEN_LIMIT,
        ...(this.filter === 'all' ? {} : { states: [this.filter] }),
        ...(this.search.trim() ? { search: this.search.trim().slice(0, 50) } : {}),
        ...(this.customerId !== null ? { customerId: this.customerId } : {}),
      });
      queue.merge(rows);
      if (seq !== this.loadSeq) return; // a newer load is on its way
      this.ids = rows.map((row) => row.id);
      this.loaded = true;
    } catch (error) {
      this.message = { tone: 'error', text: describeError(error) };
    }
  }

  /** Many queue events arrive while a batch syncs: reload once they settle. */
  reloadSoon(ms = 120): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.load(), ms);
  }

  retry(ids?: number[]): Promise<void> {
    return this.act(async () => {
      const rows = await station.call('queue.retry', ids ? { ids } : {});
      return t(pluralForm(rows.length) === 'one' ? 'retried.one' : 'retried', { n: rows.length });
    });
  }

  release(ids?: number[]): Promise<void> {
    return this.act(async () => {
      const rows = await station.call('queue.release', ids ? { ids } : {});
      return t(pluralForm(rows.length) === 'one' ? 'released.one' : 'released', { n: rows.length });
    });
  }

  async saveEdit(patch: TokenPatch): Promise<boolean> {
    const token = this.editing;
    if (!token) return false;
    this.busy = true;
    this.editError = null;
    try {
      const saved = await station.call('queue.edit', { id: token.id, patch });
      this.editing = null;
      this.message = { tone: 'ok', text: t('saved', { uid: saved.uid }) };
      await this.load();
      return true;
    } catch (error) {
      this.editError = describeError(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  confirmDiscard(): Promise<void> {
    const token = this.discarding;
    this.discarding = null;
    if (!token) return Promise.resolve();
    return this.act(async () => {
      const row = await station.call('queue.discard', { id: token.id });
      return t('discarded', { uid: row.uid });
    });
  }

  private async act(run: () => Promise<string>): Promise<void> {
    this.busy = true;
    try {
      this.message = { tone: 'ok', text: await run() };
      await this.load();
    } catch (error) {
      this.message = { tone: 'error', text: describeError(error) };
    } finally {
      this.busy = false;
    }
  }
}

export const queueScreen = new QueueScreen();
