/**
 * The sandbox's memory: tokens and customers, the list queries of `GET /v2/tokens` and
 * `GET /v2/customers`, and an optional JSON snapshot so the app's built-in sandbox survives a
 * restart. Everything handed out is a copy, so no caller can change stored tokens behind the
 * store's back (and past its snapshot).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Customer, CustomerPage, Page, SpiriiToken, TokenPatch, TokenSortField } from '../core/token';
import type { CustomerQuery, NewToken, ResolvedTokenQuery } from './validate';
import { customerMatcher } from '../core/customers';

/** Far from small numbers, so a client mixing up token ids and customer ids fails visibly. */
export const FIRST_TOKEN_ID = 10001;
const SNAPSHOT_VERSION = 1;
/** The largest id a token may have: the one after it must still be a safe integer. */
export const MAX_TOKEN_ID = Number.MAX_SAFE_INTEGER - 1;

export interface StoreOptions {
  customers: readonly Customer[];
  now: () => Date;
  /** Load from and save to this JSON file; absent means memory only. */
  statePath?: string;
}

/** A duplicate rfid UID in a create request: already stored (existingId) or earlier in the same list (firstIndex). */
export interface DuplicateUid {
  index: number;
  uid: string;
  existingId?: number;
  firstIndex?: number;
}

interface Snapshot {
  version: number;
  tokens: SpiriiToken[];
}

/** A stored token with the lower-cased text that search compares, computed once rather than per query. */
interface Entry {
  token: SpiriiToken;
  uidKey: string;
  labelKey: string;
}

function entryOf(token: SpiriiToken): Entry {
  return { token, uidKey: (token.identifier.uid ?? '').toLowerCase(), labelKey: (token.identifier.label ?? '').toLowerCase() };
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

export class SandboxStore {
  /** Insertion order is ascending id order (ids only grow, a snapshot is sorted on load): sorting by id is free. */
  private readonly entries = new Map<number, Entry>();
  /** rfid UID -> ids holding it; a list because duplicateUids 'accept' lets one UID be stored twice. */
  private readonly rfidIndex = new Map<string, number[]>();
  private readonly customerList: Customer[];
  private readonly customerIds: Set<number>;
  private nextId = FIRST_TOKEN_ID;

  constructor(private readonly options: StoreOptions) {
    this.customerList = [...options.customers].map((customer) => ({ ...customer })).sort((a, b) => a.id - b.id);
    this.customerIds = new Set(this.customerList.map((customer) => customer.id));
    if (options.statePath !== undefined) {
      mkdirSync(dirname(options.statePath), { recursive: true });
      for (const token of loadSnapshot(options.statePath)) this.insert(token);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  hasCustomer(id: number): boolean {
    return this.customerIds.has(id);
  }

  get(id: number): SpiriiToken | undefined {
    const entry = this.entries.get(id);
    return entry && copy(entry.token);
  }

  all(): SpiriiToken[] {
    return Array.from(this.entries.values(), (entry) => copy(entry.token));
  }

  /** rfid UIDs of a create request that are already stored or repeat an earlier item of the same request. */
  duplicateUids(tokens: readonly NewToken[]): DuplicateUid[] {
    const firstSeen = new Map<string, number>();
    const duplicates: DuplicateUid[] = [];
    tokens.forEach((token, index) => {
      const uid = token.identifier.type === 'rfid' ? token.identifier.uid : undefined;
      if (uid === undefined) return;
      const existingId = this.rfidIndex.get(uid)?.[0];
      const firstIndex = firstSeen.get(uid);
      if (existingId !== undefined) duplicates.push({ index, uid, existingId });
      else if (firstIndex !== undefined) duplicates.push({ index, uid, firstIndex });
      else firstSeen.set(uid, index);
    });
    return duplicates;
  }

  /** Stores validated tokens (the caller has checked customers and duplicates) and saves once for the whole batch. */
  create(tokens: readonly NewToken[]): SpiriiToken[] {
    const stamp = this.options.now().toISOString();
    if (this.nextId + tokens.length - 1 > MAX_TOKEN_ID) throw new Error(`The sandbox has no safe token ids left (the largest is ${MAX_TOKEN_ID})`);
    const created = tokens.map((token) => {
      const stored: SpiriiToken = {
        id: this.nextId,
        customerId: token.customerId,
        identifier: copy(token.identifier),
        createdAt: stamp,
        updatedAt: stamp,
        validFrom: token.validFrom,
        expiresAt: token.expiresAt,
        isActive: token.isActive,
        roamingEnabled: token.roamingEnabled,
        priorityChargingEnabled: token.priorityChargingEnabled,
        billingReference: token.billingReference,
        comment: token.comment,
      };
      this.insert(stored);
      return copy(stored);
    });
    this.save();
    return created;
  }

  /** Replaces a stored token by one of the same id (from applyPatch); false if there is none. */
  replace(token: SpiriiToken): SpiriiToken | false {
    const current = this.entries.get(token.id);
    if (!current) return false;
    // uid and label never change, so the rfid index and search keys stay valid. Every change moves
    // updatedAt forward, even two within one millisecond: a client compares it to see whether the
    // token changed since it read it.
    const before = Date.parse(current.token.updatedAt);
    if (Number.isFinite(before) && !(Date.parse(token.updatedAt) > before)) token = { ...token, updatedAt: new Date(before + 1).toISOString() };
    this.entries.set(token.id, entryOf(copy(token)));
    this.save();
    return copy(token);
  }

  query(query: ResolvedTokenQuery): Page<SpiriiToken> {
    const matches = this.matching(query);
    sortTokens(matches, query.sortBy, query.sortDirection);
    return { data: matches.slice(query.offset, query.offset + query.limit).map(copy), count: matches.length };
  }

  customers(query: CustomerQuery): CustomerPage {
    const matches = this.customerList.filter(customerMatcher(query.search));
    return {
      data: matches.slice(query.offset, query.offset + query.limit).map(copy),
      count: matches.length,
      limit: query.limit,
      offset: query.offset,
    };
  }

  private matching(query: ResolvedTokenQuery): SpiriiToken[] {
    const tests = tokenTests(query);
    const matches: SpiriiToken[] = [];
    for (const entry of this.entries.values()) {
      if (tests.every((test) => test(entry))) matches.push(entry.token);
    }
    return matches;
  }

  private insert(token: SpiriiToken): void {
    this.entries.set(token.id, entryOf(token));
    this.nextId = Math.max(this.nextId, token.id + 1);
    const uid = token.identifier.type === 'rfid' ? token.identifier.uid : undefined;
    if (uid !== undefined) this.rfidIndex.set(uid, [...(this.rfidIndex.get(uid) ?? []), token.id]);
  }

  /** Synchronous and atomic (tmp + rename): a crash mid-write must not leave a half file that loses every token. */
  private save(): void {
    const path = this.options.statePath;
    if (path === undefined) return;
    const snapshot: Snapshot = { version: SNAPSHOT_VERSION, tokens: Array.from(this.entries.values(), (entry) => entry.token) };
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, path);
  }
}

/** A PATCH applied to a stored token; pure, so the caller can check the result before storing it. */
export function applyPatch(token: SpiriiToken, patch: TokenPatch, now: Date): SpiriiToken {
  const { identifier, ...fields } = patch;
  const appUserId = identifier?.appUserId;
  return {
    ...token,
    ...fields,
    identifier: appUserId === undefined ? { ...token.identifier } : { ...token.identifier, appUserId },
    updatedAt: now.toISOString(),
  };
}

type EntryTest = (entry: Entry) => boolean;

/** Only the filters the query sets, so an unfiltered listing of 100,000 tokens does no work per token. */
function tokenTests(query: ResolvedTokenQuery): EntryTest[] {
  const tests: EntryTest[] = [];
  const { search, type, customerId, isActive, roamingEnabled, priority, validFrom, expiresFrom } = query;
  if (search !== undefined) tests.push(searchTest(search));
  if (type !== undefined) tests.push(({ token }) => token.identifier.type === type);
  if (customerId !== undefined) tests.push(({ token }) => token.customerId === customerId);
  if (isActive !== undefined) tests.push(({ token }) => token.isActive === isActive);
  if (roamingEnabled !== undefined) tests.push(({ token }) => token.roamingEnabled === roamingEnabled);
  if (priority !== undefined) tests.push(({ token }) => token.priorityChargingEnabled === priority);
  // Stored dates are canonical toISOString() strings, so string order is time order.
  if (validFrom !== undefined) tests.push(({ token }) => token.validFrom >= validFrom);
  if (expiresFrom !== undefined) tests.push(({ token }) => token.expiresAt !== null && token.expiresAt >= expiresFrom);
  return tests;
}

/** The token id exactly, or the label or uid as a case-insensitive substring. */
function searchTest(search: string): EntryTest {
  const id = /^\d+$/.test(search) ? Number(search) : undefined;
  const key = search.toLowerCase();
  return ({ token, uidKey, labelKey }) => token.id === id || uidKey.includes(key) || labelKey.includes(key);
}

/**
 * Sorts in place. Ties fall back to id in the same direction, so paging through equal dates
 * neither repeats nor skips a token; a missing expiresAt sorts last in both directions.
 */
function sortTokens(tokens: SpiriiToken[], field: TokenSortField, direction: 'asc' | 'desc'): void {
  const sign = direction === 'asc' ? 1 : -1;
  if (field === 'id') {
    // Already in ascending id order (see SandboxStore.entries).
    if (sign < 0) tokens.reverse();
    return;
  }
  tokens.sort((a, b) => {
    const x = a[field];
    const y = b[field];
    if (x === y) return sign * (a.id - b.id);
    if (x === null) return 1;
    if (y === null) return -1;
    return sign * (x < y ? -1 : 1);
  });
}

function loadSnapshot(path: string): SpiriiToken[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // A broken file is refused rather than replaced: starting empty would silently lose every token in it.
  const problem = (detail: string) => new Error(`Sandbox state file ${path} is not a valid snapshot: ${detail}`);
  let snapshot: unknown;
  try {
    snapshot = JSON.parse(text);
  } catch (error) {
    throw problem((error as Error).message);
  }
  if (!isSnapshot(snapshot)) throw problem(`expected { "version": ${SNAPSHOT_VERSION}, "tokens": [...] }`);
  // Ids first, by name: a repeated id would silently drop a token, and the largest safe integer
  // would make the next token's id unsafe (written, then refused on the next start).
  const seen = new Map<unknown, number>();
  for (const [index, token] of (snapshot.tokens as unknown[]).entries()) {
    const id = typeof token === 'object' && token !== null ? (token as { id?: unknown }).id : undefined;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      throw problem(`tokens[${index}] has id ${JSON.stringify(id) ?? 'undefined'}: an id must be a whole number from 1 to ${MAX_TOKEN_ID}`);
    }
    if (id > MAX_TOKEN_ID) throw problem(`tokens[${index}] has id ${id}: no safe id would be left for the next token (the largest is ${MAX_TOKEN_ID})`);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw problem(`tokens[${earlier}] and tokens[${index}] have the same id ${id}`);
    seen.set(id, index);
  }
  const bad = snapshot.tokens.findIndex((token) => !looksLikeToken(token));
  if (bad >= 0) throw problem(`tokens[${bad}] is not a token`);
  return [...snapshot.tokens].sort((a, b) => a.id - b.id);
}

function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;
  const { version, tokens } = value as Record<string, unknown>;
  return version === SNAPSHOT_VERSION && Array.isArray(tokens);
}

/** Enough of a shape check that the store's invariants (integer ids, an identifier, string dates) hold. */
function looksLikeToken(value: unknown): value is SpiriiToken {
  if (typeof value !== 'object' || value === null) return false;
  const token = value as Record<string, unknown>;
  const identifier = token.identifier as Record<string, unknown> | null | undefined;
  return (
    Number.isSafeInteger(token.id) &&
    Number.isSafeInteger(token.customerId) &&
    typeof identifier === 'object' &&
    identifier !== null &&
    typeof identifier.type === 'string' &&
    typeof token.createdAt === 'string' &&
    typeof token.updatedAt === 'string' &&
    typeof token.validFrom === 'string' &&
    (token.expiresAt === null || typeof token.expiresAt === 'string')
  );
}
