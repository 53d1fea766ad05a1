/**
 * A queued change in the window's words ("Deactivate", "Expiry: never", "Customer: 1003
 * Fjordhavn Kommune"): the bulk bar's confirmation and the change panels on Tokens and Queue say
 * it the same way, in the language chosen now (the core keeps the patch, not a sentence).
 */
import { defineMessages } from './i18n.svelte';
import { formatDateTime } from './format';
import type { TokenChangeFields } from './types';

const t = defineMessages({
  en: {
    activate: 'Activate',
    deactivate: 'Deactivate',
    expiresAt: 'Expiry',
    validFrom: 'Valid from',
    roaming: 'Roaming',
    priority: 'Priority charging',
    billingReference: 'Billing reference',
    comment: 'Comment',
    customer: 'Customer',
    on: 'on',
    off: 'off',
    never: 'never',
    empty: '(empty)',
    part: '{field}: {value}',
  },
  da: {
    activate: 'Aktivér',
    deactivate: 'Deaktivér',
    expiresAt: 'Udløb',
    validFrom: 'Gyldig fra',
    roaming: 'Roaming',
    priority: 'Prioriteret opladning',
    billingReference: 'Faktureringsreference',
    comment: 'Kommentar',
    customer: 'Kunde',
    on: 'til',
    off: 'fra',
    never: 'aldrig',
    empty: '(tom)',
    part: '{field}: {value}',
  },
});

export type ChangeWord = Parameters<typeof t>[0];
export const changeWord = (key: ChangeWord): string => t(key);

/** The change in words; `customerName` gives the name beside a customer number. */
export function describeChange(patch: TokenChangeFields, customerName: (id: number) => string | null = () => null): string {
  const parts: string[] = [];
  const part = (field: ChangeWord, value: string) => parts.push(t('part', { field: t(field), value }));
  if (patch.isActive !== undefined) parts.push(t(patch.isActive ? 'activate' : 'deactivate'));
  if (patch.expiresAt !== undefined) part('expiresAt', patch.expiresAt === null ? t('never') : formatDateTime(patch.expiresAt));
  if (patch.validFrom !== undefined) part('validFrom', formatDateTime(patch.validFrom));
  if (patch.roamingEnabled !== undefined) part('roaming', t(patch.roamingEnabled ? 'on' : 'off'));
  if (patch.priorityChargingEnabled !== undefined) part('priority', t(patch.priorityChargingEnabled ? 'on' : 'off'));
  if (patch.billingReference !== undefined) part('billingReference', patch.billingReference ?? t('empty'));
  if (patch.comment !== undefined) part('comment', patch.comment ?? t('empty'));
  if (patch.customerId !== undefined) part('customer', `${patch.customerId} ${customerName(patch.customerId) ?? ''}`.trim());
  return parts.join(' · ');
}
