/**
 * What the desk may change in a token that exists only here, and the check of such a change: one
 * rule for the queue's `edit` (whoever calls it) and the contract's `queue.edit`, which wraps this
 * check rather than keeping a schema of its own.
 *
 * Plain code, not a zod schema: the queue is loaded by every CLI command that reads it (`queue`
 * and its actions), and zod was most of what those loaded at start-up. The texts follow token.ts's
 * rules (trimmed, at most TEXT_FIELD_MAX characters, no control characters); the dates are what
 * zod's `z.iso.datetime({ offset: true })` takes (the same pattern), so the enrollment defaults,
 * which keep a zod schema, accept the same dates.
 */
import { CONTROL_CHARACTERS_MESSAGE, TEXT_FIELD_MAX, hasControlCharacters, type TokenSettings } from './token';

/** The longest label Spirii shows in full (the enrollment defaults and imports have the same bound). */
const EDIT_LABEL_MAX = 100;

/** A change: the label and customer, and any of the token's settings (token.ts). */
export interface TokenEdit extends Partial<TokenSettings> {
  label?: string | null;
  customerId?: number;
}

/** Why a change was refused: the field, the words, and (for a text too long) its bound. */
export interface TokenEditIssue {
  path: string[];
  code: 'too_big' | 'invalid';
  message: string;
  maximum?: number;
}

export type TokenEditCheck = { ok: true; edit: TokenEdit } | { ok: false; issue: TokenEditIssue };

const DATE = `(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))`;
const TIME = `(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?`;
/** An RFC 3339 date-time with seconds and a `Z` or an offset, as zod's `z.iso.datetime({ offset: true })`. */
export const ISO_DATE_TIME = new RegExp(`^${DATE}T${TIME}(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`);

type Field = (value: unknown) => { value: unknown } | Omit<TokenEditIssue, 'path'>;

const invalid = (message: string) => ({ code: 'invalid' as const, message });

function text(max: number): Field {
  return (value) => {
    if (value === null) return { value };
    if (typeof value !== 'string') return invalid('must be text or null');
    const trimmed = value.trim();
    if (trimmed.length > max) return { code: 'too_big', message: `at most ${max} characters`, maximum: max };
    if (hasControlCharacters(trimmed)) return invalid(CONTROL_CHARACTERS_MESSAGE);
    return { value: trimmed };
  };
}

const dateTime: Field = (value) => (value === null || (typeof value === 'string' && ISO_DATE_TIME.test(value)) ? { value } : invalid('an ISO date-time such as 2026-01-31T00:00:00Z'));
const flag: Field = (value) => (typeof value === 'boolean' ? { value } : invalid('must be true or false'));

const FIELDS: Record<keyof TokenEdit, Field> = {
  label: text(EDIT_LABEL_MAX),
  customerId: (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? { value } : invalid('a customer number (a whole number, 1 or more)')),
  validFrom: dateTime,
  expiresAt: dateTime,
  isActive: flag,
  roamingEnabled: flag,
  priorityChargingEnabled: flag,
  billingReference: text(TEXT_FIELD_MAX),
  comment: text(TEXT_FIELD_MAX),
};

/** Check a change field by field (an absent or undefined field is not changed); the first problem refuses it. */
export function checkTokenEdit(patch: unknown): TokenEditCheck {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return { ok: false, issue: { path: [], code: 'invalid', message: 'must be an object of the fields to change' } };
  const edit: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!Object.hasOwn(FIELDS, key)) return { ok: false, issue: { path: [key], code: 'invalid', message: 'is not a field of a token that can be changed' } };
    if (value === undefined) continue;
    const checked = FIELDS[key as keyof TokenEdit](value);
    if (!('value' in checked)) return { ok: false, issue: { path: [key], ...checked } };
    edit[key] = checked.value;
  }
  return { ok: true, edit: edit as TokenEdit };
}
