/**
 * Request validation for the sandbox Spirii API. Every problem becomes one line of a 400 message
 * that starts with the field's path ("tokens[3].identifier.uid: ..."), so a client can show it and
 * isolate the bad item of a batch without guessing.
 */
import { parseUidSyntax } from '../core/uid';
import {
  TEXT_FIELD_MAX,
  TOKEN_SETTING_FIELDS,
  TOKEN_SORT_FIELDS,
  type SpiriiToken,
  type TokenIdentifier,
  type TokenPatch,
  type TokenQuery,
  type TokenSortField,
  type TokenType,
} from '../core/token';

export const MAX_TOKENS_PER_POST = 1000;
export const SEARCH_MAX = 50;
export const PAGE_LIMIT_MAX = 1000;
export const TOKEN_PAGE_LIMIT_DEFAULT = 500;
export const CUSTOMER_PAGE_LIMIT_DEFAULT = 50;
/** A VIN is 17 characters and a MAC 12-17; 50 leaves room for either form without allowing essays. */
const VEHICLE_ID_MAX = 50;
/** A 400 naming hundreds of bad items helps nobody; the client splits the batch anyway. */
const MAX_REPORTED_PROBLEMS = 20;

const TOKEN_TYPES: readonly TokenType[] = ['rfid', 'virtual', 'vehicleId'];
const SORT_DIRECTIONS = ['asc', 'desc'] as const;

const CREATE_FIELDS = ['customerId', 'identifier', ...TOKEN_SETTING_FIELDS] as const;
const IDENTIFIER_FIELDS = ['type', 'uid', 'label', 'appUserId'] as const;
const PATCH_FIELDS = [...TOKEN_SETTING_FIELDS, 'customerId', 'identifier'] as const;
const TOKEN_QUERY_PARAMS = [
  'search',
  'type',
  'customerId',
  'isActive',
  'roamingEnabled',
  'priority',
  'validFrom',
  'expiresFrom',
  'sortBy',
  'sortDirection',
  'offset',
  'limit',
] as const;
const CUSTOMER_QUERY_PARAMS = ['search', 'offset', 'limit'] as const;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** A token as validated for creation: every default filled in, dates canonical. */
export type NewToken = Omit<SpiriiToken, 'id' | 'createdAt' | 'updatedAt' | 'tokenGroupIds'>;

export interface CreateRequest {
  /** Whether the body was a list, so the answer can match its shape. */
  list: boolean;
  tokens: NewToken[];
}

export type ResolvedTokenQuery = TokenQuery & {
  sortBy: TokenSortField;
  sortDirection: 'asc' | 'desc';
  offset: number;
  limit: number;
};

export interface CustomerQuery {
  search?: string;
  offset: number;
  limit: number;
}

type JsonObject = Record<string, unknown>;

/** Collects problems instead of stopping at the first, so one answer names everything wrong. */
class Problems {
  private readonly lines: string[] = [];

  add(path: string, problem: string): void {
    this.lines.push(`${path}: ${problem}`);
  }

  get count(): number {
    return this.lines.length;
  }

  result<T>(value: T): Checked<T> {
    if (this.lines.length === 0) return { ok: true, value };
    const shown = this.lines.slice(0, MAX_REPORTED_PROBLEMS);
    const more = this.lines.length - shown.length;
    return { ok: false, message: shown.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '') };
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Shows a rejected value in a message without letting a huge one flood it. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** True for the UID form the API stores: upper-case hex, no separators, 4/7/10 bytes. */
export function isCanonicalRfidUid(value: string): boolean {
  // Spirii checks the form only; the desk's own refusals (cascade tag, same bytes) are not Spirii's.
  const parsed = parseUidSyntax(value);
  return parsed.ok && parsed.uid === value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An ISO-8601 date-time with a zone, as the canonical `toISOString()` form, or undefined.
 * The calendar is checked by hand because Date.parse rolls "02-30" over into March.
 */
export function canonicalDateTime(value: string): string | undefined {
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, zoneHour, zoneMinute] = match.slice(1).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const fieldsInRange =
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && zoneHour <= 23 && zoneMinute <= 59;
  const time = Date.parse(value);
  return fieldsInRange && Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** The one cross-field rule, shared by create and patch: a token must not expire before it starts. */
export function validityProblem(validFrom: string, expiresAt: string | null): string | undefined {
  if (expiresAt === null || Date.parse(expiresAt) > Date.parse(validFrom)) return undefined;
  return `must be after validFrom (${validFrom})`;
}

function rejectUnknown(object: JsonObject, allowed: readonly string[], prefix: string, problems: Problems): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) problems.add(join(prefix, key), `unknown field; allowed: ${allowed.join(', ')}`);
  }
}

function integerAtLeast(value: unknown, min: number, path: string, problems: Problems): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  problems.add(path, `must be an integer >= ${min} (got ${shown(value)})`);
  return undefined;
}

function booleanOr(value: unknown, fallback: boolean, path: string, problems: Problems): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  problems.add(path, `must be true or false (got ${shown(value)})`);
  return fallback;
}

/** billingReference, comment and label: a string of at most TEXT_FIELD_MAX characters, or null. */
function textOrNull(value: unknown, path: string, problems: Problems): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.add(path, `must be a string or null (got ${shown(value)})`);
  } else if (value.length > TEXT_FIELD_MAX) {
    problems.add(path, `must be at most ${TEXT_FIELD_MAX} characters (got ${value.length})`);
  } else {
    return value;
  }
  return null;
}

function dateTime(value: unknown, path: string, problems: Problems): string | undefined {
  const canonical = typeof value === 'string' ? canonicalDateTime(value) : undefined;
  if (canonical === undefined) problems.add(path, `must be an ISO-8601 date-time with a time zone, e.g. 2025-06-03T12:00:00.000Z (got ${shown(value)})`);
  return canonical;
}

function dateTimeOrNull(value: unknown, path: string, problems: Problems): string | null | undefined {
  return value === null ? null : dateTime(value, path, problems);
}

function appUserIdOrNull(value: unknown, path: string, problems: Problems): number | null {
  if (value === undefined || value === null) return null;
  return integerAtLeast(value, 1, path, problems) ?? null;
}

function isTokenType(value: unknown): value is TokenType {
  return typeof value === 'string' && (TOKEN_TYPES as readonly string[]).includes(value);
}

/**
 * The uid rule depends on the type: a card's UID must already be canonical (the API does not
 * normalise, so a lower-case or separated UID from a buggy client must fail loudly), a vehicle
 * needs its MAC or VIN, and a virtual token may carry one.
 */
function uidFor(type: TokenType, value: unknown, path: string, problems: Problems): string | undefined {
  if (type === 'rfid') {
    if (typeof value === 'string' && isCanonicalRfidUid(value)) return value;
    problems.add(path, `must be upper-case hex of 4, 7 or 10 bytes without separators (got ${shown(value)})`);
    return undefined;
  }
  if (value === undefined && type === 'virtual') return undefined;
  if (typeof value === 'string' && value.length > 0 && value.length <= VEHICLE_ID_MAX) return value;
  problems.add(path, `must be a non-empty string of at most ${VEHICLE_ID_MAX} characters (got ${shown(value)})`);
  return undefined;
}

function identifierOf(value: unknown, path: string, problems: Problems): TokenIdentifier | undefined {
  if (value === undefined) {
    problems.add(path, 'is required');
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(path, `must be an object (got ${shown(value)})`);
    return undefined;
  }
  rejectUnknown(value, IDENTIFIER_FIELDS, path, problems);
  if (!isTokenType(value.type)) {
    problems.add(join(path, 'type'), `must be one of ${TOKEN_TYPES.join(', ')} (got ${shown(value.type)})`);
    return undefined;
  }
  const uid = uidFor(value.type, value.uid, join(path, 'uid'), problems);
  const label = textOrNull(value.label, join(path, 'label'), problems);
  const appUserId = appUserIdOrNull(value.appUserId, join(path, 'appUserId'), problems);
  return { type: value.type, ...(uid === undefined ? {} : { uid }), label, appUserId };
}

function newTokenOf(value: unknown, prefix: string, now: Date, problems: Problems): NewToken | undefined {
  if (!isObject(value)) {
    problems.add(prefix === '' ? 'body' : prefix, `must be a token object (got ${shown(value)})`);
    return undefined;
  }
  const before = problems.count;
  rejectUnknown(value, CREATE_FIELDS, prefix, problems);
  const customerId = integerAtLeast(value.customerId, 1, join(prefix, 'customerId'), problems);
  const identifier = identifierOf(value.identifier, join(prefix, 'identifier'), problems);
  const validFrom = value.validFrom === undefined ? now.toISOString() : dateTime(value.validFrom, join(prefix, 'validFrom'), problems);
  const expiresAt = value.expiresAt === undefined ? null : dateTimeOrNull(value.expiresAt, join(prefix, 'expiresAt'), problems);
  const isActive = booleanOr(value.isActive, true, join(prefix, 'isActive'), problems);
  const roamingEnabled = booleanOr(value.roamingEnabled, true, join(prefix, 'roamingEnabled'), problems);
  const priorityChargingEnabled = booleanOr(value.priorityChargingEnabled, true, join(prefix, 'priorityChargingEnabled'), problems);
  const billingReference = textOrNull(value.billingReference, join(prefix, 'billingReference'), problems);
  const comment = textOrNull(value.comment, join(prefix, 'comment'), problems);
  if (validFrom !== undefined && expiresAt !== undefined) {
    const problem = validityProblem(validFrom, expiresAt);
    if (problem) problems.add(join(prefix, 'expiresAt'), problem);
  }
  if (problems.count > before || customerId === undefined || identifier === undefined || validFrom === undefined || expiresAt === undefined) {
    return undefined;
  }
  return { customerId, identifier, validFrom, expiresAt, isActive, roamingEnabled, priorityChargingEnabled, billingReference, comment };
}

/** `POST /v2/tokens`: one token object or a list of 1..1000; one bad item rejects the whole list. */
export function checkCreateBody(body: unknown, now: Date): Checked<CreateRequest> {
  const problems = new Problems();
  if (!Array.isArray(body)) {
    const token = newTokenOf(body, '', now, problems);
    return problems.result({ list: false, tokens: token ? [token] : [] });
  }
  if (body.length < 1 || body.length > MAX_TOKENS_PER_POST) {
    problems.add('body', `a list must hold 1 to ${MAX_TOKENS_PER_POST} tokens (got ${body.length})`);
    return problems.result({ list: true, tokens: [] });
  }
  const tokens: NewToken[] = [];
  body.forEach((item: unknown, index) => {
    const token = newTokenOf(item, `tokens[${index}]`, now, problems);
    if (token) tokens.push(token);
  });
  return problems.result({ list: true, tokens });
}

/** `PATCH /v2/tokens/{id}`: only the documented fields; the cross-field check needs the stored token, so the caller does it. */
export function checkPatchBody(body: unknown): Checked<TokenPatch> {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('body', `must be an object (got ${shown(body)})`);
    return problems.result({});
  }
  for (const key of Object.keys(body)) {
    if (!(PATCH_FIELDS as readonly string[]).includes(key)) {
      problems.add(key, `cannot be changed; PATCH may change only ${PATCH_FIELDS.join(', ')} and identifier.appUserId`);
    }
  }
  const patch: TokenPatch = {};
  if (body.validFrom !== undefined) patch.validFrom = dateTime(body.validFrom, 'validFrom', problems);
  if (body.expiresAt !== undefined) patch.expiresAt = dateTimeOrNull(body.expiresAt, 'expiresAt', problems);
  if (body.isActive !== undefined) patch.isActive = booleanOr(body.isActive, true, 'isActive', problems);
  if (body.roamingEnabled !== undefined) patch.roamingEnabled = booleanOr(body.roamingEnabled, true, 'roamingEnabled', problems);
  if (body.priorityChargingEnabled !== undefined) {
    patch.priorityChargingEnabled = booleanOr(body.priorityChargingEnabled, true, 'priorityChargingEnabled', problems);
  }
  if (body.billingReference !== undefined) patch.billingReference = textOrNull(body.billingReference, 'billingReference', problems);
  if (body.comment !== undefined) patch.comment = textOrNull(body.comment, 'comment', problems);
  if (body.customerId !== undefined) patch.customerId = integerAtLeast(body.customerId, 1, 'customerId', problems);
  if (body.identifier !== undefined) patch.identifier = identifierPatchOf(body.identifier, problems);
  if (problems.count === 0 && Object.keys(patch).length === 0) problems.add('body', `must change at least one of ${PATCH_FIELDS.join(', ')}`);
  return problems.result(patch);
}

function identifierPatchOf(value: unknown, problems: Problems): TokenPatch['identifier'] {
  if (!isObject(value)) {
    problems.add('identifier', `must be an object (got ${shown(value)})`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'appUserId') problems.add(`identifier.${key}`, 'cannot be changed; only identifier.appUserId can');
  }
  if (!('appUserId' in value)) return undefined;
  return { appUserId: appUserIdOrNull(value.appUserId, 'identifier.appUserId', problems) };
}

/**
 * Reads query parameters, refusing unknown and repeated names: a silently ignored misspelt
 * filter would return the wrong tokens and look right.
 */
function queryReader(params: URLSearchParams, allowed: readonly string[], problems: Problems): (name: string) => string | undefined {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!allowed.includes(name)) problems.add(name, `unknown query parameter; allowed: ${allowed.join(', ')}`);
    else if (seen.has(name)) problems.add(name, 'query parameter given more than once');
    seen.add(name);
  }
  return (name) => params.get(name) ?? undefined;
}

function searchParam(value: string | undefined, problems: Problems): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length <= SEARCH_MAX) return value;
  problems.add('search', `must be at most ${SEARCH_MAX} characters (got ${value.length})`);
  return undefined;
}

function enumParam<T extends string>(value: string | undefined, name: string, allowed: readonly T[], problems: Problems): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.add(name, `must be one of ${allowed.join(', ')} (got ${shown(value)})`);
  return undefined;
}

function booleanParam(value: string | undefined, name: string, problems: Problems): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  problems.add(name, `must be true or false (got ${shown(value)})`);
  return undefined;
}

function integerParam(value: string | undefined, name: string, min: number, max: number, problems: Problems): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (number >= min && number <= max) return number;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  problems.add(name, `must be an integer ${range} (got ${shown(value)})`);
  return undefined;
}

function dateTimeParam(value: string | undefined, name: string, problems: Problems): string | undefined {
  return value === undefined ? undefined : dateTime(value, name, problems);
}

/** `GET /v2/tokens`: every parameter of the documented table, defaults filled in. */
export function checkTokenQuery(params: URLSearchParams): Checked<ResolvedTokenQuery> {
  const problems = new Problems();
  const get = queryReader(params, TOKEN_QUERY_PARAMS, problems);
  const query: ResolvedTokenQuery = {
    search: searchParam(get('search'), problems),
    type: enumParam(get('type'), 'type', TOKEN_TYPES, problems),
    customerId: integerParam(get('customerId'), 'customerId', 1, Number.MAX_SAFE_INTEGER, problems),
    isActive: booleanParam(get('isActive'), 'isActive', problems),
    roamingEnabled: booleanParam(get('roamingEnabled'), 'roamingEnabled', problems),
    priority: booleanParam(get('priority'), 'priority', problems),
    validFrom: dateTimeParam(get('validFrom'), 'validFrom', problems),
    expiresFrom: dateTimeParam(get('expiresFrom'), 'expiresFrom', problems),
    sortBy: enumParam(get('sortBy'), 'sortBy', TOKEN_SORT_FIELDS, problems) ?? 'id',
    sortDirection: enumParam(get('sortDirection'), 'sortDirection', SORT_DIRECTIONS, problems) ?? 'desc',
    offset: integerParam(get('offset'), 'offset', 0, Number.MAX_SAFE_INTEGER, problems) ?? 0,
    limit: integerParam(get('limit'), 'limit', 1, PAGE_LIMIT_MAX, problems) ?? TOKEN_PAGE_LIMIT_DEFAULT,
  };
  return problems.result(query);
}

/** `GET /v2/customers`: search, offset and limit (default 50). */
export function checkCustomerQuery(params: URLSearchParams): Checked<CustomerQuery> {
  const problems = new Problems();
  const get = queryReader(params, CUSTOMER_QUERY_PARAMS, problems);
  return problems.result({
    search: searchParam(get('search'), problems),
    offset: integerParam(get('offset'), 'offset', 0, Number.MAX_SAFE_INTEGER, problems) ?? 0,
    limit: integerParam(get('limit'), 'limit', 1, PAGE_LIMIT_MAX, problems) ?? CUSTOMER_PAGE_LIMIT_DEFAULT,
  });
}

/** The `{id}` of `/v2/tokens/{id}`. */
export function checkTokenId(text: string): Checked<number> {
  const problems = new Problems();
  const id = integerParam(text, 'id', 1, Number.MAX_SAFE_INTEGER, problems);
  return problems.result(id ?? 0);
}
