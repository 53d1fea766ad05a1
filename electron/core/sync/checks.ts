/**
 * The checks before any new token is sent: unknown customer numbers, and UIDs Spirii already has.
 * A customer number typed while Spirii could not be asked is asked about first; then every new
 * UID is looked up (the pre-send duplicate check, pre-send-check.ts).
 */
import type { CustomerDirectory } from '../customers';
import { checkNewTokens } from '../pre-send-check';
import { LOOKUP_CHUNK, type SyncPassContext } from './pass-context';
import { answeredBySpirii } from './reached';

/**
 * Tokens for a customer number typed while offline (not verified): Spirii is asked whether it
 * has those customers (GET /v2/customers) before any of them is sent. A number it does not know
 * rejects its tokens, none of them sent; a known one is verified (remembered) and sending goes on.
 * Spirii unreachable: the pass waits, as for any other request, and nothing is sent.
 */
export async function checkCustomers(ctx: SyncPassContext, customers: Pick<CustomerDirectory, 'unverified' | 'resolve'> | undefined): Promise<void> {
  const unverified = customers?.unverified();
  if (!customers || !unverified || unverified.size === 0) return;
  const tokens = [...unverified].flatMap((id) => ctx.queue.listByCustomer(id).filter((t) => t.state === 'pending'));
  if (tokens.length === 0) return;
  let resolution;
  try {
    resolution = await customers.resolve(new Set(tokens.map((t) => t.customerId)));
  } catch (error) {
    if (answeredBySpirii(error)) ctx.reached();
    throw ctx.waitFor(error);
  }
  if (resolution.state === 'offline') throw ctx.waitFor(resolution.cause ?? new Error(resolution.error ?? 'Spirii could not be reached'));
  if (resolution.requests > 0) ctx.reached();
  ctx.requireLease();
  for (const customerId of resolution.unknown) {
    const ids = tokens.filter((t) => t.customerId === customerId);
    ctx.queue.markRejected(
      ids.map((t) => t.id),
      `Spirii has no customer ${customerId}: choose the right customer and enroll the card again`,
      { key: 'unknown-customer', params: { customerId } },
      { state: 'pending', attemptId: (id) => ids.find((t) => t.id === id)!.attemptId },
    );
  }
}

/** The pre-send duplicate check: no token is sent before Spirii has been asked whether it already has the UID. */
export async function checkNew(ctx: SyncPassContext): Promise<void> {
  for (;;) {
    let checked;
    try {
      checked = await checkNewTokens(ctx.queue, ctx.api, LOOKUP_CHUNK, () => ctx.paceReads('presend'));
    } catch (error) {
      throw ctx.waitFor(error);
    }
    if (checked === 0) return;
    ctx.answered();
  }
}
