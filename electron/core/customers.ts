/** Customer search, remembered so the desk can still pick a customer while offline. */
import type { SpiriiClient } from './api/client';
import { ApiError, NetworkError } from './api/errors';
import type { Settings } from './settings';
import type { Customer } from './token';
import { Cancelled } from './io/spirii-pages';
import { Listeners } from './events';

const CACHE_KEY = 'customers.cache';
/** Customer numbers typed at the desk while Spirii could not be asked; dropped once Spirii knows them. */
const UNVERIFIED_KEY = 'customers.unverified';
const CACHE_LIMIT = 5_000;
/** The largest page GET /v2/customers serves. */
const CUSTOMER_PAGE_MAX = 1000;
const LOOKUP_CONCURRENCY = 4;

export interface CustomerResolution {
  /** 'checked': every id is either in `known` or in `unknown`; 'offline': Spirii could not be asked (unreachable, or answering with an error), so the ones not cached are in neither. */
  state: 'checked' | 'offline';
  known: Map<number, Customer>;
  /** Ids Spirii answered for and does not have. */
  unknown: Set<number>;
  /** Requests made to Spirii (0 when the cache knew them all). */
  requests: number;
  /** Offline: the network's text. */
  error?: string;
  /** Offline: the error itself, from the network or Spirii (the sync worker waits on it as on any other). */
  cause?: NetworkError | ApiError;
}

export interface CustomerSearchResult {
  customers: Customer[];
  /** true when Spirii could not be reached and the answer comes from the local cache. */
  fromCache: boolean;
}

/**
 * Spirii's customer search (GET /v2/customers?search=): the name or externalId as a
 * case-insensitive substring, or the id exactly. The sandbox answers with it, and the offline
 * cache too, so a search finds the same customers online and off.
 */
export function customerMatcher(search: string | undefined): (customer: Customer) => boolean {
  const key = search?.trim().toLowerCase();
  if (!key) return () => true;
  const id = /^\d+$/.test(key) ? Number(key) : undefined;
  return (customer) =>
    customer.id === id || customer.name.toLowerCase().includes(key) || (customer.externalId ?? '').toLowerCase().includes(key);
}

export class CustomerDirectory {
  private readonly verifiedListeners = new Listeners<Customer[]>();

  constructor(
    private readonly client: SpiriiClient,
    private readonly settings: Settings,
  ) {}

  /**
   * A customer number typed at the desk that Spirii has not confirmed (offline, empty cache): its
   * tokens are checked by the sync worker (resolve) before any of them is sent.
   */
  markUnverified(id: number): void {
    const ids = this.unverified();
    if (ids.has(id) || this.cachedName(id) !== null) return;
    this.settings.set(UNVERIFIED_KEY, [...ids, id]);
  }

  /** The typed customer numbers still to be checked with Spirii. */
  unverified(): Set<number> {
    return new Set(this.settings.get<number[]>(UNVERIFIED_KEY, []));
  }

  /** Told the customers Spirii has just confirmed that were typed unverified. */
  onVerified(listener: (customers: Customer[]) => void): () => void {
    return this.verifiedListeners.add(listener);
  }

  async search(search: string, limit = 50): Promise<CustomerSearchResult> {
    try {
      const page = await this.client.searchCustomers(search.trim(), { limit });
      this.remember(page.data);
      return { customers: page.data, fromCache: false };
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      const cached = this.settings.get<Customer[]>(CACHE_KEY, []);
      return { customers: cached.filter(customerMatcher(search)).slice(0, limit), fromCache: true };
    }
  }

  /** A customer's name from Spirii (remembered for offline use); the remembered one when Spirii cannot be asked. */
  async nameOf(id: number): Promise<string | null> {
    try {
      const page = await this.client.searchCustomers(String(id), { limit: 50 });
      this.remember(page.data);
      const found = page.data.find((c) => c.id === id);
      if (found) return found.name;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
    }
    return this.cachedName(id);
  }

  /** The name this desk last saw for a customer, without asking Spirii. */
  cachedName(id: number): string | null {
    return this.settings.get<Customer[]>(CACHE_KEY, []).find((c) => c.id === id)?.name ?? null;
  }

  /**
   * The customers with these ids: from the cache first, the rest from Spirii in as few requests as
   * it takes (every page of the customer list when that is fewer requests than one search per
   * unseen id), so a file of 100,000 rows over 50 customers costs at most 50 requests, and none
   * once they are cached. A customer the cache knows is taken as known: Spirii does not delete
   * customers, and a wrong one is still refused when the token is sent.
   */
  async resolve(ids: Iterable<number>, options: { signal?: AbortSignal } = {}): Promise<CustomerResolution> {
    const cached = new Map(this.settings.get<Customer[]>(CACHE_KEY, []).map((c) => [c.id, c]));
    const known = new Map<number, Customer>();
    const unseen: number[] = [];
    for (const id of new Set(ids)) {
      const hit = cached.get(id);
      if (hit) known.set(id, hit);
      else unseen.push(id);
    }
    const unknown = new Set<number>();
    if (unseen.length === 0) return { state: 'checked', known, unknown, requests: 0 };
    let requests = 0;
    const found: Customer[] = [];
    try {
      const first = await this.client.searchCustomers('', { limit: 1 });
      requests++;
      const pages = Math.ceil(first.count / CUSTOMER_PAGE_MAX);
      if (pages <= unseen.length) {
        for (let offset = 0; offset < first.count; offset += CUSTOMER_PAGE_MAX) {
          if (options.signal?.aborted) throw new Cancelled();
          const page = await this.client.searchCustomers('', { limit: CUSTOMER_PAGE_MAX, offset });
          requests++;
          found.push(...page.data);
          if (page.data.length === 0) break;
        }
      } else {
        let next = 0;
        const worker = async () => {
          while (next < unseen.length) {
            if (options.signal?.aborted) throw new Cancelled();
            const id = unseen[next++]!;
            // search matches ids, names and external ids: keep the exact id.
            const page = await this.client.searchCustomers(String(id), { limit: 50 });
            requests++;
            found.push(...page.data.filter((c) => c.id === id));
          }
        };
        await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, unseen.length) }, worker));
      }
    } catch (error) {
      // Spirii unreachable, or answering with an error (a gateway's 4xx/5xx, a refused key): the
      // unseen customers stay unchecked. An import says so, an export leaves their names out;
      // neither fails for want of a name.
      if (!(error instanceof NetworkError || error instanceof ApiError)) throw error;
      return { state: 'offline', known, unknown, requests, error: error.message, cause: error };
    }
    const byId = new Map(found.map((c) => [c.id, c]));
    for (const id of unseen) {
      const customer = byId.get(id);
      if (customer) known.set(id, customer);
      else unknown.add(id);
    }
    const confirmed = unseen.map((id) => byId.get(id)).filter((c): c is Customer => c !== undefined);
    this.remember(confirmed);
    const typed = this.unverified();
    const verified = confirmed.filter((c) => typed.has(c.id));
    if (verified.length > 0) {
      this.settings.set(
        UNVERIFIED_KEY,
        [...typed].filter((id) => !verified.some((c) => c.id === id)),
      );
      this.verifiedListeners.emit(verified);
    }
    return { state: 'checked', known, unknown, requests };
  }

  /** Names of customers the desk has seen, without asking Spirii (for lists drawn often). */
  cachedNames(): Map<number, string> {
    return new Map(this.settings.get<Customer[]>(CACHE_KEY, []).map((c) => [c.id, c.name]));
  }

  /** Forget the remembered customers (they belong to the connection the desk just left). */
  forget(): void {
    this.settings.set(CACHE_KEY, []);
    this.settings.set(UNVERIFIED_KEY, []);
  }

  private remember(customers: readonly Customer[]): void {
    const byId = new Map(this.settings.get<Customer[]>(CACHE_KEY, []).map((c) => [c.id, c]));
    for (const customer of customers) byId.set(customer.id, customer);
    this.settings.set(CACHE_KEY, [...byId.values()].slice(-CACHE_LIMIT));
  }
}
