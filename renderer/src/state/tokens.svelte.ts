/**
 * The tokens in Spirii, as GET /v2/tokens pages them: the filters and sort of the query, the total
 * count, and the pages fetched so far (only those near what is on screen, so 100,000 tokens cost
 * no more than a few pages). A change of filter or sort starts a new generation: answers to an
 * older query are dropped.
 */
import { describeError, station } from '../lib/station';
import type { QueuedChange, SpiriiToken, TokenPatch, TokenQuery } from '../lib/types';
import { BulkSelection } from './bulk-selection.svelte';

/** The API's default page size (shared/spirii-api.md: limit 1..1000, default 500). */
export const PAGE_SIZE = 500;
/** Pages kept in memory; the farthest from the screen go first. */
const PAGES_KEPT = 24;

export type TriState = 'any' | 'yes' | 'no';
export type SortField = NonNullable<TokenQuery['sortBy']>;
export const SORT_FIELDS: readonly SortField[] = ['id', 'createdAt', 'updatedAt', 'validFrom', 'expiresAt'];

export interface TokenFilters {
  search: string;
  type: '' | 'rfid' | 'virtual' | 'vehicleId';
  customerId: string;
  isActive: TriState;
  roamingEnabled: TriState;
  priority: TriState;
  /** yyyy-mm-dd (local day), or empty. */
  validFrom: string;
  expiresFrom: string;
  sortBy: SortField;
  sortDirection: 'asc' | 'desc';
}

export const EMPTY_FILTERS: TokenFilters = {
  search: '',
  type: '',
  customerId: '',
  isActive: 'any',
  roamingEnabled: 'any',
  priority: 'any',
  validFrom: '',
  expiresFrom: '',
  sortBy: 'id',
  sortDirection: 'desc',
};

const tri = (value: TriState) => (value === 'any' ? undefined : value === 'yes');
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined);

/** The query for GET /v2/tokens, or the name of the field that cannot be sent as it is. */
export function toQuery(filters: TokenFilters): { ok: true; query: TokenQuery } | { ok: false; field: 'customerId' | 'search' } {
  const search = filters.search.trim();
  if (search.length > 50) return { ok: false, field: 'search' };
  const customer = filters.customerId.trim();
  const customerId = customer === '' ? undefined : Number(customer);
  if (customerId !== undefined && (!Number.isInteger(customerId) || customerId < 1)) return { ok: false, field: 'customerId' };
  return {
    ok: true,
    query: {
      search: search || undefined,
      type: filters.type || undefined,
      customerId,
      isActive: tri(filters.isActive),
      roamingEnabled: tri(filters.roamingEnabled),
      priority: tri(filters.priority),
      validFrom: dayStart(filters.validFrom),
      expiresFrom: dayStart(filters.expiresFrom),
      sortBy: filters.sortBy,
      sortDirection: filters.sortDirection,
    },
  };
}

class TokensState {
  filters = $state<TokenFilters>({ ...EMPTY_FILTERS });
  /** Matching tokens in Spirii; null before the first answer. */
  count = $state<number | null>(null);
  /** Bumped when a page arrives or a token changes, so rows re-read the cache. */
  version = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  invalid = $state<'customerId' | 'search' | null>(null);
  /** The token shown in the detail panel. */
  selected = $state.raw<SpiriiToken | null>(null);

  /** The rows picked for a bulk change. */
  readonly bulk: BulkSelection = new BulkSelection(this);

  private generation = 0;
  private query: TokenQuery = {};
  private readonly pages = new Map<number, SpiriiToken[]>();
  private readonly inFlight = new Set<number>();
  private lastWanted: [number, number] = [0, 0];

  /** The query the list shows (without paging). */
  get currentQuery(): TokenQuery {
    return this.query;
  }

  /** The token at a position, if its page is here (reads `version`). */
  at(index: number): SpiriiToken | undefined {
    void this.version;
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Start over with the current filters: count and first page. */
  async reload(): Promise<void> {
    const built = toQuery(this.filters);
    this.invalid = built.ok ? null : built.field;
    if (!built.ok) return;
    this.query = built.query;
    this.generation++;
    this.bulk.reset();
    this.pages.clear();
    this.inFlight.clear();
    this.count = null;
    this.error = null;
    this.version++;
    await this.fetchPage(0, this.generation);
  }

  /** Make sure the pages holding rows first..last are here or on their way. */
  want(first: number, last: number): void {
    this.lastWanted = [first, last];
    if (this.count === null) return;
    const lastIndex = Math.min(last, this.count - 1);
    for (let page = Math.floor(Math.max(0, first) / PAGE_SIZE); page <= Math.floor(lastIndex / PAGE_SIZE); page++) {
      if (!this.pages.has(page) && !this.inFlight.has(page)) void this.fetchPage(page, this.generation);
    }
  }

  retry(): void {
    if (this.count === null) void this.reload();
    else this.want(...this.lastWanted);
  }

  async open(id: number): Promise<void> {
    try {
      this.selected = await station.call('tokens.get', { id });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  close(): void {
    this.selected = null;
  }

  /** Send a confirmed PATCH; the answer replaces the token here and in its page. */
  async patch(id: number, patch: TokenPatch): Promise<SpiriiToken> {
    const updated = await station.call('tokens.patch', { id, patch });
    for (const rows of this.pages.values()) {
      const index = rows.findIndex((row) => row.id === id);
      if (index >= 0) rows[index] = updated;
    }
    if (this.selected?.id === id) this.selected = updated;
    this.version++;
    return updated;
  }

  /**
   * Changes the queue has applied in Spirii: the rows here show the new values at once (and the
   * updatedAt Spirii gave), as an edit's answer does, without fetching the list again.
   */
  applyChanges(changes: readonly QueuedChange[]): void {
    const applied = new Map(changes.filter((c) => c.state === 'synced').map((c) => [c.spiriiId, c]));
    if (applied.size === 0) return;
    let touched = false;
    for (const rows of this.pages.values()) {
      rows.forEach((row, index) => {
        const change = applied.get(row.id);
        if (!change) return;
        rows[index] = { ...row, ...change.fields, updatedAt: change.resultUpdatedAt ?? row.updatedAt };
        touched = true;
      });
    }
    const open = this.selected && applied.get(this.selected.id);
    if (open && this.selected) this.selected = { ...this.selected, ...open.fields, updatedAt: open.resultUpdatedAt ?? this.selected.updatedAt };
    if (touched) this.version++;
  }

  private async fetchPage(page: number, generation: number): Promise<void> {
    this.inFlight.add(page);
    this.loading = true;
    try {
      const answer = await station.call('tokens.list', { ...this.query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      if (generation !== this.generation) return;
      this.pages.set(page, answer.data);
      this.count = answer.count;
      this.error = null;
      this.evict(page);
      this.version++;
    } catch (error) {
      if (generation === this.generation) this.error = describeError(error);
    } finally {
      if (generation === this.generation) {
        this.inFlight.delete(page);
        this.loading = this.inFlight.size > 0;
      }
    }
    // Rows asked for while the count was unknown.
    if (generation === this.generation && page === 0) this.want(...this.lastWanted);
  }

  private evict(near: number): void {
    if (this.pages.size <= PAGES_KEPT) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const page of far.slice(0, this.pages.size - PAGES_KEPT)) this.pages.delete(page);
  }
}

export const tokens = new TokensState();
