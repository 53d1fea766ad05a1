/**
 * Every transport serves calls through this one function: unknown names refused, inputs
 * validated against the contract's schema, errors turned into a typed envelope (Electron's
 * ipcMain.handle would otherwise reduce them to a prefixed message).
 */
import { contract, type CallName, type Envelope, type Handlers } from './contract';
import { problemOf } from '../core/problem-detail';

/** Inputs larger than this (as JSON) are refused before parsing them against the schema. */
const MAX_INPUT_BYTES = 256 * 1024;

export type Dispatch = (name: unknown, input: unknown) => Promise<Envelope<unknown>>;

function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(contract.calls, name);
}

export function createDispatch(handlers: Handlers, onError?: (name: string, error: unknown) => void): Dispatch {
  return async (name, input) => {
    if (!isCallName(name)) return { ok: false, error: { code: 'unknown-call', message: `No such call: ${String(name).slice(0, 80)}` } };
    let size: number;
    try {
      size = JSON.stringify(input ?? {}).length;
    } catch {
      return { ok: false, error: { code: 'invalid-input', message: `${name}: input is not plain data` } };
    }
    if (size > MAX_INPUT_BYTES) return { ok: false, error: { code: 'invalid-input', message: `${name}: input too large` } };
    const parsed = contract.calls[name].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, error: { code: 'invalid-input', message: `${name}: ${issue.path.join('.') || 'input'}: ${issue.message}` } };
    }
    try {
      const handler = handlers[name] as (args: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      onError?.(name, error);
      const detail = problemOf(error);
      return { ok: false, error: { code: 'failed', message: error instanceof Error ? error.message : String(error), ...(detail ? { detail } : {}) } };
    }
  };
}
