import type { TokenDraft } from '../../electron/core/queue';

/** The n-th test UID: 7 bytes, NXP-like. */
export function uidOf(n: number): string {
  return `04${n.toString(16).toUpperCase().padStart(12, '0')}`;
}

/** A token as the desk would queue it, for customer 1001 unless told otherwise. */
export function tokenDraft(uid: string, extra: Partial<TokenDraft> = {}): TokenDraft {
  return {
    uid,
    customerId: 1001,
    label: null,
    validFrom: null,
    expiresAt: null,
    isActive: true,
    roamingEnabled: true,
    priorityChargingEnabled: true,
    billingReference: null,
    comment: null,
    source: 'test',
    ...extra,
  };
}
