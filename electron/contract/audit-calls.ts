/**
 * The audit trail for calls other areas own: edits and discards of queued tokens (the sync area),
 * edits of tokens in Spirii (the UI area) and every export (the files area, any `export.*` call)
 * are recorded after they succeed, with the operator's name and the time, whatever their handler
 * does. Enrollments are recorded by the station itself (every tap, from the window or the CLI).
 */
import type { CallName } from './contract';
import type { Handlers } from './transport';
import type { AuditAction, AuditLog } from '../core/audit';
import type { Logger } from '../core/logger';

interface Rule {
  action: AuditAction;
  details: (args: Record<string, unknown>, result: unknown) => Record<string, unknown> | null;
  subject: (args: Record<string, unknown>, result: unknown) => string | null;
}

const field = (value: unknown, key: string): unknown => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined);
const text = (value: unknown): string | null => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

function ruleFor(name: string): Rule | null {
  if (name === 'queue.edit') {
    return { action: 'edit', details: (args) => ({ tokenId: args.id, where: 'local queue', patch: args.patch }), subject: (args, result) => text(field(result, 'uid')) ?? `token ${String(args.id)}` };
  }
  if (name === 'queue.discard') {
    // Recorded only when something was discarded (a failed discard throws, and is not recorded).
    return {
      action: 'discard',
      details: (args, result) => (field(result, 'discarded') === false ? null : { tokenId: args.id, label: field(result, 'label') ?? null, customerId: field(result, 'customerId') ?? null }),
      subject: (args, result) => text(field(result, 'uid')) ?? `token ${String(args.id)}`,
    };
  }
  if (name === 'session.undo') {
    // An undo at the desk is a discard like any other, recorded with the label it had.
    return {
      action: 'discard',
      details: (args, result) => {
        const removed = field(result, 'removed');
        return { tokenId: args.id, label: field(removed, 'label') ?? null, customerId: field(removed, 'customerId') ?? null, undo: true };
      },
      subject: (args, result) => text(field(field(result, 'removed'), 'uid')) ?? `token ${String(args.id)}`,
    };
  }
  if (name === 'tokens.patch') {
    return { action: 'edit', details: (args) => ({ spiriiId: args.id, where: 'Spirii', patch: args.patch }), subject: (args, result) => text(field(field(result, 'identifier'), 'uid')) ?? `Spirii token ${String(args.id)}` };
  }
  if (name.startsWith('export.') || name === 'reconcile.export') {
    return {
      action: 'export',
      // A cancelled save (in the dialog or during the job) wrote nothing: nothing to record.
      details: (args, result) =>
        field(result, 'status') === 'cancelled' ? null : { call: name, ...args, rows: field(result, 'count') ?? field(result, 'rows') ?? undefined },
      subject: (args, result) => text(field(result, 'path')) ?? text(field(result, 'filename')) ?? text(field(result, 'fileName')) ?? text(args.path) ?? text(args.out),
    };
  }
  return null;
}

/** The handlers, with the audited ones wrapped. */
export function auditCalls(handlers: Handlers, audit: AuditLog, logger: Logger): Handlers {
  const wrapped: Record<string, unknown> = { ...handlers };
  for (const name of Object.keys(handlers) as CallName[]) {
    const rule = ruleFor(name);
    if (!rule) continue;
    const handler = handlers[name] as (args: unknown) => unknown;
    wrapped[name] = async (args: Record<string, unknown>) => {
      const result = await handler(args);
      try {
        const details = rule.details(args, result);
        if (details) audit.record(rule.action, details, rule.subject(args, result));
      } catch (error) {
        logger.error(`Could not record ${name} in the audit trail`, { error });
      }
      return result;
    };
  }
  return wrapped as Handlers;
}
