/**
 * The customer filter of the export and the reconcile: the Enroll screen's picker over the number
 * kept as text in `files` (empty: any customer), which is what the core is sent.
 */
import { customerNames } from '../../state/customer-names.svelte';
import type { Customer } from '../../lib/types';

/** What the picker shows for the number typed or picked: the customer and its name, if known. */
export function chosen(text: string): { id: number; name: string | null } | null {
  const id = Number(text);
  return text.trim() !== '' && Number.isSafeInteger(id) && id > 0 ? { id, name: customerNames.name(id) } : null;
}

/** The number kept for a customer picked (its name remembered for the next look-up), or '' for none. */
export function picked(customer: Customer | null): string {
  if (customer) customerNames.remember([customer]);
  return customer ? String(customer.id) : '';
}
