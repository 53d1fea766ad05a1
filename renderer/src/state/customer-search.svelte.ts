/** Customer search as you type: debounced, and an older answer never replaces a newer one. */
import { defineMessages } from '../lib/i18n.svelte';
import { describeError, station } from '../lib/station';
import type { Customer } from '../lib/types';

const t = defineMessages({
  en: { searchFailed: 'Could not search customers: {error}' },
  da: { searchFailed: 'Kunne ikke søge efter kunder: {error}' },
});

const SEARCH_DELAY_MS = 250;

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
