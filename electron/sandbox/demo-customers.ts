/** The sandbox's demo customers (Fjordhavn and the others the tests and screenshots use). */
import type { Customer } from '../core/token';

/**
 * Billing customers the sandbox knows when none are given. Varied on purpose: non-ASCII names
 * (search must be case-insensitive beyond ASCII), a customer without an externalId, and externalIds
 * in different house styles, as real customer lists have. The sandbox copies this list, so a
 * caller changing it after start has no effect on a running sandbox.
 */
export const DEMO_CUSTOMERS: Customer[] = [
  { id: 1001, name: 'Acme Fleet ApS', externalId: 'ACME-01' },
  { id: 1002, name: 'Nordlys Taxi A/S', externalId: 'NORDLYS-TAXI' },
  { id: 1003, name: 'Fjordhavn Kommune', externalId: 'FJH-KOM-7' },
  { id: 1004, name: 'Bornholm Elbiler ApS', externalId: null },
  { id: 1005, name: 'Skagen Logistik A/S', externalId: 'skl-2231' },
  { id: 1006, name: 'Øresund Delebiler AB', externalId: 'ORE-CS-88' },
];
