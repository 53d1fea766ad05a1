/** What a replacement writes on the two tokens: the settings the new one copies from the old, and the comment the old one gets. */
import type { SpiriiToken, TokenSettings } from '../token';
import { TEXT_FIELD_MAX } from '../token';

/** The old token's comment once replaced: which card replaced it (label and UID), within Spirii's 100 characters. */
export function deactivationComment(newUid: string, newLabel: string | null): string {
  const text = newLabel ? `Replaced by card ${newLabel} / ${newUid}` : `Replaced by card ${newUid}`;
  return text.slice(0, TEXT_FIELD_MAX);
}

/** What the new token copies of the old one: validity, roaming, priority, billing reference, comment; it starts active. */
export function settingsFrom(old: SpiriiToken): TokenSettings {
  return {
    validFrom: old.validFrom ?? null,
    expiresAt: old.expiresAt,
    isActive: true,
    roamingEnabled: old.roamingEnabled,
    priorityChargingEnabled: old.priorityChargingEnabled,
    billingReference: old.billingReference,
    comment: old.comment,
  };
}
