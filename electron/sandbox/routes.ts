/**
 * The sandbox's endpoints: which handler answers a method and path (404/405 otherwise), and the
 * handlers that create, list, read and change tokens and list customers in the store.
 */
import type { ChangeLog } from './change-log';
import { message, reply, type Outcome } from './outcome';
import { applyPatch, type DuplicateUid, type SandboxStore } from './store';
import { checkCreateBody, checkCustomerQuery, checkPatchBody, checkTokenId, checkTokenQuery, validityProblem } from './validate';

export interface Context {
  store: SandboxStore;
  /** The counter of created tokens in the sandbox's stats. */
  stats: { tokensCreated: number };
  duplicateUids: 'reject' | 'accept';
  /** Every change applied to a stored token, in order (Sandbox.changeLog). */
  changes: ChangeLog;
  now: Date;
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

export type Handler = (context: Context) => Outcome;

interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const ROUTES: Route[] = [
  { pattern: /^\/v2\/tokens$/, methods: { GET: listTokens, POST: createTokens } },
  { pattern: /^\/v2\/tokens\/([^/]+)$/, methods: { GET: getToken, PATCH: patchToken } },
  { pattern: /^\/v2\/customers$/, methods: { GET: listCustomers } },
];

/** A malformed escape stays as it is, so the id check answers 400 instead of the decoder throwing a 500. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The handler and path parameters for a request, or the 404/405 that answers it. */
export function resolveRoute(method: string, pathname: string): { handler: Handler; params: string[] } | Outcome {
  for (const route of ROUTES) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const handler = route.methods[method];
    if (handler) return { handler, params: match.slice(1).map(safeDecode) };
    const allow = Object.keys(route.methods).join(', ');
    return message(405, `${method} is not allowed on ${pathname}; allowed: ${allow}`, { Allow: allow });
  }
  return message(404, `No such endpoint: ${pathname}`);
}

/** Names a field of item `index`, in the same form the validator uses. */
function fieldPath(list: boolean, index: number, field: string): string {
  return list ? `tokens[${index}].${field}` : field;
}

function duplicateText(list: boolean, duplicate: DuplicateUid): string {
  const path = fieldPath(list, duplicate.index, 'identifier.uid');
  return duplicate.existingId !== undefined
    ? `${path}: a token with UID ${duplicate.uid} already exists (id ${duplicate.existingId})`
    : `${path}: UID ${duplicate.uid} appears twice in this request (also tokens[${duplicate.firstIndex}])`;
}

function createTokens(context: Context): Outcome {
  const checked = checkCreateBody(context.body, context.now);
  if (!checked.ok) return message(400, checked.message);
  const { list, tokens } = checked.value;
  const unknownCustomers = tokens.flatMap((token, index) =>
    context.store.hasCustomer(token.customerId) ? [] : [`${fieldPath(list, index, 'customerId')}: customer ${token.customerId} not found`],
  );
  if (unknownCustomers.length > 0) return message(404, unknownCustomers.join('; '));
  if (context.duplicateUids === 'reject') {
    const duplicates = context.store.duplicateUids(tokens);
    if (duplicates.length > 0) {
      return reply(409, { code: 'duplicate', message: duplicates.map((duplicate) => duplicateText(list, duplicate)).join('; ') });
    }
  }
  const created = context.store.create(tokens);
  context.stats.tokensCreated += created.length;
  return reply(201, list ? created : created[0]);
}

function listTokens(context: Context): Outcome {
  const checked = checkTokenQuery(context.query);
  return checked.ok ? reply(200, context.store.query(checked.value)) : message(400, checked.message);
}

function getToken(context: Context): Outcome {
  const id = checkTokenId(context.params[0]);
  if (!id.ok) return message(400, id.message);
  const token = context.store.get(id.value);
  return token ? reply(200, token) : message(404, `Token ${id.value} not found`);
}

function patchToken(context: Context): Outcome {
  const id = checkTokenId(context.params[0]);
  if (!id.ok) return message(400, id.message);
  const patch = checkPatchBody(context.body);
  if (!patch.ok) return message(400, patch.message);
  const token = context.store.get(id.value);
  if (!token) return message(404, `Token ${id.value} not found`);
  const customerId = patch.value.customerId;
  if (customerId !== undefined && !context.store.hasCustomer(customerId)) return message(404, `customerId: customer ${customerId} not found`);
  const updated = applyPatch(token, patch.value, context.now);
  const problem = validityProblem(updated.validFrom, updated.expiresAt);
  if (problem) return message(400, `expiresAt: ${problem}`);
  const stored = context.store.replace(updated);
  if (!stored) return message(404, `Token ${id.value} not found`);
  context.changes.record({ tokenId: id.value, patch: patch.value, updatedAt: stored.updatedAt, by: 'api' });
  return reply(200, stored);
}

function listCustomers(context: Context): Outcome {
  const checked = checkCustomerQuery(context.query);
  return checked.ok ? reply(200, context.store.customers(checked.value)) : message(400, checked.message);
}
