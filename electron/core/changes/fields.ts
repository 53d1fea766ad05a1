/**
 * The rules of a change's fields, in one place for the CLI, the window and a file's rows: what
 * PATCH allows, checked before anything is queued (so Spirii's 400 is the exception, not the
 * rule), and whether a token read back from Spirii already carries a change. No zod here: the
 * CLI's `changes` listing loads this module and must start fast.
 */
import type { SpiriiToken, TokenPatch } from '../token';
import { CONTROL_CHARACTERS_MESSAGE, TEXT_FIELD_MAX, hasControlCharacters } from '../token';
import { CHANGE_FIELDS, type ChangeFields } from './types';

/** A change's fields refused: the field and why, in English. */
export class InvalidChangeError extends Error {
  constructor(
    readonly field: keyof ChangeFields | null,
    readonly reason: string,
  ) {
    super(field ? `${field} ${reason}` : reason);
    this.name = 'InvalidChangeError';
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 date-time with a zone, as the canonical UTC instant Spirii returns; null when the text is none. */
export function instantOf(text: string): string | null {
  if (!ISO_INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The fields checked and in canonical form (dates as UTC instants, texts trimmed, an empty text
 * cleared), or InvalidChangeError. At least one field must be set; an unknown field is refused.
 */
export function checkChangeFields(input: Record<string, unknown>): ChangeFields {
  const fields: ChangeFields = {};
  for (const key of Object.keys(input)) {
    if (!(CHANGE_FIELDS as readonly string[]).includes(key)) throw new InvalidChangeError(null, `${key} cannot be changed (only ${CHANGE_FIELDS.join(', ')})`);
  }
  for (const key of ['isActive', 'roamingEnabled', 'priorityChargingEnabled'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new InvalidChangeError(key, 'must be true or false');
    fields[key] = value;
  }
  if (input.validFrom !== undefined) {
    const at = typeof input.validFrom === 'string' ? instantOf(input.validFrom) : null;
    if (at === null) throw new InvalidChangeError('validFrom', 'must be an ISO date-time such as 2026-01-31T00:00:00Z');
    fields.validFrom = at;
  }
  if (input.expiresAt !== undefined) {
    const at = input.expiresAt === null ? null : typeof input.expiresAt === 'string' ? instantOf(input.expiresAt) : undefined;
    if (at === undefined || (at === null && input.expiresAt !== null)) {
      throw new InvalidChangeError('expiresAt', 'must be an ISO date-time such as 2026-12-31T23:59:59Z, or never (null)');
    }
    fields.expiresAt = at;
  }
  if (fields.validFrom !== undefined && fields.expiresAt) {
    if (Date.parse(fields.expiresAt) <= Date.parse(fields.validFrom)) throw new InvalidChangeError('expiresAt', 'must be after validFrom');
  }
  for (const key of ['billingReference', 'comment'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') throw new InvalidChangeError(key, 'must be text');
    const text = value === null ? null : value.trim() || null;
    if (text !== null && text.length > TEXT_FIELD_MAX) throw new InvalidChangeError(key, `must be at most ${TEXT_FIELD_MAX} characters`);
    if (text !== null && hasControlCharacters(text)) throw new InvalidChangeError(key, CONTROL_CHARACTERS_MESSAGE);
    fields[key] = text;
  }
  if (input.customerId !== undefined) {
    const id = input.customerId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new InvalidChangeError('customerId', 'must be a customer number (a whole number >= 1)');
    fields.customerId = id;
  }
  if (Object.keys(fields).length === 0) throw new InvalidChangeError(null, 'A change must set at least one field');
  return fields;
}

/** The PATCH body of a change. */
export function toTokenPatch(fields: ChangeFields): TokenPatch {
  return { ...fields };
}

function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return Date.parse(a) === Date.parse(b);
}

/** Whether Spirii's token already has every value the change sets (then the change is in Spirii, whoever put it there). */
export function carries(token: SpiriiToken, fields: ChangeFields): boolean {
  for (const key of CHANGE_FIELDS) {
    const wanted = fields[key];
    if (wanted === undefined) continue;
    const has = token[key];
    if (key === 'validFrom' || key === 'expiresAt') {
      if (!sameInstant(has as string | null, wanted as string | null)) return false;
    } else if ((has ?? null) !== wanted) return false;
  }
  return true;
}

/** "active false, expires never, comment "Lost"": a change in one line, for the CLI and the audit trail. */
export function describeFields(fields: ChangeFields): string {
  const parts: string[] = [];
  const text = (value: string | null) => (value === null ? 'cleared' : JSON.stringify(value));
  if (fields.isActive !== undefined) parts.push(`active ${fields.isActive}`);
  if (fields.validFrom !== undefined) parts.push(`valid from ${fields.validFrom}`);
  if (fields.expiresAt !== undefined) parts.push(`expires ${fields.expiresAt ?? 'never'}`);
  if (fields.roamingEnabled !== undefined) parts.push(`roaming ${fields.roamingEnabled}`);
  if (fields.priorityChargingEnabled !== undefined) parts.push(`priority ${fields.priorityChargingEnabled}`);
  if (fields.billingReference !== undefined) parts.push(`billing reference ${text(fields.billingReference)}`);
  if (fields.comment !== undefined) parts.push(`comment ${text(fields.comment)}`);
  if (fields.customerId !== undefined) parts.push(`customer ${fields.customerId}`);
  return parts.join(', ');
}
