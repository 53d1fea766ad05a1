/**
 * The rows picked on the Tokens screen for a bulk change: click, shift-click (a range), ctrl/cmd
 * click, Space, and "select all N matching the filters". Only ids are held: "all matching" asks
 * the core for the ids of the query (tokens.select), so the window never fetches every token.
 * A new query (filters or sort) starts with nothing picked.
 */
import { SvelteSet } from 'svelte/reactivity';
import { describeError, station } from '../lib/station';
import type { ChangeTarget, SpiriiToken, TokenQuery } from '../lib/types';

/** What the selection reads of the list: its rows (as far as fetched), the query and the count. */
export interface PickSource {
  at(index: number): SpiriiToken | undefined;
  readonly currentQuery: TokenQuery;
  readonly count: number | null;
}

/** Tokens shown in the confirmation, beside the count. */
export const SAMPLE_SIZE = 5;

export class BulkSelection {
  readonly ids = new SvelteSet<number>();
  /** The row a shift-click extends from. */
  anchor = $state<number | null>(null);
  /** True while the selection is exactly "every token the filters match". */
  allMatching = $state(false);
  /** Asking the core for ids (select all, a range over rows not fetched yet). */
  busy = $state(false);
  error = $state<string | null>(null);
  /** Tokens the window has seen whole (rows, the core's sample), for the sample and the targets' UID and label. */
  private known = new Map<number, SpiriiToken>();
  /** Each picked id's updatedAt as read: the change is based on it (never applied over a newer change in Spirii). */
  private basedOn = new Map<number, string>();
  private generation = 0;

  constructor(private readonly source: PickSource) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  /** A new query: nothing picked (what was picked may not even match any more). */
  reset(): void {
    this.generation++;
    this.ids.clear();
    this.known.clear();
    this.basedOn.clear();
    this.anchor = null;
    this.allMatching = false;
    this.busy = false;
    this.error = null;
  }

  /** Ctrl/cmd-click, Space or the row's checkbox: this row in or out (a row not fetched yet is asked of the core). */
  async toggle(index: number): Promise<void> {
    this.anchor = index;
    this.allMatching = false;
    let token = this.source.at(index);
    if (!token) {
      const answer = await this.ask({ offset: index, limit: 1 });
      token = answer?.sample[0];
      if (!token) return;
    }
    if (this.ids.has(token.id)) this.ids.delete(token.id);
    else this.ids.add(token.id);
    this.remember(token);
  }

  /** Shift-click or Shift+Space: every row from the anchor to this one is added. */
  async extendTo(index: number): Promise<void> {
    const from = this.anchor ?? index;
    const [lo, hi] = from <= index ? [from, index] : [index, from];
    const rows: SpiriiToken[] = [];
    for (let i = lo; i <= hi; i++) {
      const token = this.source.at(i);
      if (!token) break;
      rows.push(token);
    }
    if (rows.length === hi - lo + 1) {
      for (const token of rows) this.add(token);
    } else {
      // Some rows of the range are not fetched: the core gives the ids of that range.
      const answer = await this.ask({ offset: lo, limit: hi - lo + 1 });
      if (!answer) return;
      this.addAnswer(answer);
    }
    this.anchor = index;
    this.allMatching = this.ids.size === this.source.count && this.source.count !== null;
  }

  /** Every token the filters match, on every page. */
  async selectAllMatching(): Promise<void> {
    const answer = await this.ask({});
    if (!answer) return;
    this.ids.clear();
    this.addAnswer(answer);
    this.allMatching = true;
  }

  clear(): void {
    this.ids.clear();
    this.anchor = null;
    this.allMatching = false;
  }

  /** The selected tokens to show in the confirmation: from what the window has, the rest from Spirii. */
  async sample(): Promise<SpiriiToken[]> {
    const wanted = [...this.ids].slice(0, SAMPLE_SIZE);
    const found = await Promise.all(
      wanted.map(async (id) => this.known.get(id) ?? (await station.call('tokens.get', { id }).catch(() => null))),
    );
    return found.filter((token): token is SpiriiToken => token !== null);
  }

  /** What to queue for the picked tokens: id, the updatedAt it was read with, and UID and label where known. */
  targets(): ChangeTarget[] {
    return [...this.ids].map((id) => {
      const token = this.known.get(id);
      return { id, basedOn: this.basedOn.get(id) ?? null, uid: token?.identifier.uid ?? null, label: token?.identifier.label ?? null };
    });
  }

  private addAnswer(answer: { ids: number[]; updatedAt: string[]; sample: SpiriiToken[] }): void {
    answer.ids.forEach((id, i) => {
      this.ids.add(id);
      const at = answer.updatedAt[i];
      if (at) this.basedOn.set(id, at);
    });
    for (const token of answer.sample) this.remember(token);
  }

  private add(token: SpiriiToken): void {
    this.ids.add(token.id);
    this.remember(token);
  }

  private remember(token: SpiriiToken): void {
    this.known.set(token.id, token);
    this.basedOn.set(token.id, token.updatedAt);
  }

  private async ask(range: { offset?: number; limit?: number }) {
    const generation = this.generation;
    this.busy = true;
    this.error = null;
    try {
      const answer = await station.call('tokens.select', { query: this.source.currentQuery, ...range });
      return generation === this.generation ? answer : null;
    } catch (error) {
      if (generation === this.generation) this.error = describeError(error);
      return null;
    } finally {
      if (generation === this.generation) this.busy = false;
    }
  }
}
