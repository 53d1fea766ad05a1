/** Customer search, remembered so the desk can still pick a customer while offline. */
import type { SpiriiClient } from './api/client';
import { NetworkError } from './api/errors';
import type { Settings } from './settings';
import type { Customer } from './token';

const CACHE_KEY = 'customers.cache';
const CACHE_LIMIT = 5_000;

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
  constructor(
    private readonly client: SpiriiClient,
    private readonly settings: Settings,
  ) {}

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

  /** Forget the remembered customers (they belong to the connection the desk just left). */
  forget(): void {
    this.settings.set(CACHE_KEY, []);
  }

  private remember(customers: readonly Customer[]): void {
    const byId = new Map(this.settings.get<Customer[]>(CACHE_KEY, []).map((c) => [c.id, c]));
    for (const customer of customers) byId.set(customer.id, customer);
    this.settings.set(CACHE_KEY, [...byId.values()].slice(-CACHE_LIMIT));
  }
}
