/**
 * Customer names for the numbers a list shows. A list asks for the ids it draws; the ids not known
 * yet are gathered for a moment and asked for in one call (the core answers from its cache and asks
 * Spirii for the rest in batches): never one request per row, and never twice for the same id.
 */
import { SvelteMap } from 'svelte/reactivity';
import { station } from '../lib/station';

const GATHER_MS = 30;
const BATCH = 1000;

class CustomerNames {
  private readonly names = new SvelteMap<number, string>();
  private readonly asked = new Set<number>();
  private pending = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The name, or null while it is not known (asking for it if it was never asked for). */
  name(id: number | null | undefined): string | null {
    if (id == null) return null;
    const known = this.names.get(id);
    if (known !== undefined) return known;
    if (!this.asked.has(id)) {
      this.asked.add(id);
      this.pending.add(id);
      this.timer ??= setTimeout(() => void this.flush(), GATHER_MS);
    }
    return null;
  }

  /** Names the window learned elsewhere (a customer search). */
  remember(customers: readonly { id: number; name: string }[]): void {
    for (const c of customers) {
      // A customer chosen by its number alone (the picker's number option) has no name to keep.
      if (c.name === '') continue;
      this.asked.add(c.id);
      if (this.names.get(c.id) !== c.name) this.names.set(c.id, c.name);
    }
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const ids = [...this.pending];
    this.pending = new Set();
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      try {
        this.remember(await station.call('customers.names', { ids: batch }));
      } catch {
        // Offline or refused: ask again the next time a list draws them.
        for (const id of batch) this.asked.delete(id);
      }
    }
  }
}

export const customerNames = new CustomerNames();
