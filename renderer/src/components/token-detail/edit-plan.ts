/**
 * What a token's edit form would send: its draft made from the token, and the PATCH the draft makes
 * with its changes in words. Or why it cannot be sent: an empty "valid from", an expiry before it.
 */
import { formatDateTime, fromLocalInput, toLocalInput, yesNo } from '../../lib/format';
import type { SpiriiToken, TokenPatch } from '../../lib/types';
import { t } from './messages';

/** The form's fields: the token's settings as the inputs hold them (dates as local input text). */
export interface Draft {
  isActive: boolean;
  roamingEnabled: boolean;
  priorityChargingEnabled: boolean;
  validFrom: string;
  expiresAt: string;
  billingReference: string;
  comment: string;
}

/** One field the draft changes, with its name and both values in words for the confirmation. */
export type Change = { field: keyof TokenPatch; name: string; before: string; after: string };

export interface EditPlan {
  patch: TokenPatch;
  changes: Change[];
  problem: string | null;
}

/** The draft of a token as Spirii has it: nothing changed. */
export function draftOf(tk: SpiriiToken): Draft {
  return {
    isActive: tk.isActive,
    roamingEnabled: tk.roamingEnabled,
    priorityChargingEnabled: tk.priorityChargingEnabled,
    validFrom: toLocalInput(tk.validFrom),
    expiresAt: toLocalInput(tk.expiresAt),
    billingReference: tk.billingReference ?? '',
    comment: tk.comment ?? '',
  };
}

/** The PATCH the draft makes, and its changes in words; or why it cannot be sent. */
export function planEdit(token: SpiriiToken, draft: Draft): EditPlan {
  const patch: TokenPatch = {};
  const changes: Change[] = [];
  const flag = (field: 'isActive' | 'roamingEnabled' | 'priorityChargingEnabled', name: string) => {
    if (draft[field] !== token[field]) {
      patch[field] = draft[field];
      changes.push({ field, name, before: yesNo(token[field]), after: yesNo(draft[field]) });
    }
  };
  flag('isActive', t('active'));
  flag('roamingEnabled', t('roaming'));
  flag('priorityChargingEnabled', t('priority'));
  const validFrom = fromLocalInput(draft.validFrom);
  const expiresAt = fromLocalInput(draft.expiresAt);
  if (draft.validFrom !== toLocalInput(token.validFrom)) {
    if (!validFrom) return { patch, changes, problem: t('validFromNeeded') };
    patch.validFrom = validFrom;
    changes.push({ field: 'validFrom', name: t('validFrom'), before: formatDateTime(token.validFrom), after: formatDateTime(validFrom) });
  }
  if (draft.expiresAt !== toLocalInput(token.expiresAt)) {
    patch.expiresAt = expiresAt;
    changes.push({
      field: 'expiresAt',
      name: t('expiresAt'),
      before: token.expiresAt ? formatDateTime(token.expiresAt) : t('never'),
      after: expiresAt ? formatDateTime(expiresAt) : t('never'),
    });
  }
  const from = validFrom ?? token.validFrom;
  if (expiresAt && Date.parse(expiresAt) <= Date.parse(from)) return { patch, changes, problem: t('afterValidFrom') };
  const text = (field: 'billingReference' | 'comment', name: string) => {
    const value = draft[field].trim() || null;
    if (value !== (token[field] ?? null)) {
      patch[field] = value;
      changes.push({ field, name, before: token[field] ?? t('empty'), after: value ?? t('empty') });
    }
  };
  text('billingReference', t('reference'));
  text('comment', t('comment'));
  return { patch, changes, problem: null };
}
