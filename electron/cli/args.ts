/** Command-line parsing: strict, and every bad input is a UsageError (exit code 2) that changes nothing. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseUid } from '../core/uid';
import { CONTROL_CHARACTERS_MESSAGE, hasControlCharacters } from '../core/token';
import { quoted } from './output';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's flags. Each flag may be given once, unless it is declared `multiple` (the
 * documented repeatable ones: --state, --id, --tap): a second --customer or --label is refused
 * rather than silently winning over the first.
 */
export function parse<O extends Options>(args: string[], options: O, { positionals = false }: { positionals?: boolean } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals, tokens: true });
  } catch (error) {
    // node:util's messages add a hint on further lines; the desk gets the one line that names the problem.
    const message = error instanceof Error ? error.message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '') : String(error);
    // A huge unknown flag is echoed shortened: "Unknown option '--xxxx…'".
    throw new UsageError(message.replace(/'([^']{40})[^']+'/, "'$1…'"));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once; give it once`);
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

export function positiveInt(flag: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} must be a positive integer, got ${quoted(value)}`);
  }
  if (Number(value) > max) throw new UsageError(`--${flag} must be at most ${max}, got ${quoted(value)}`);
  return Number(value);
}

export function nonNegativeInt(flag: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${flag} must be a whole number, got ${quoted(value)}`);
  if (Number(value) > max) throw new UsageError(`--${flag} must be at most ${max}, got ${quoted(value)}`);
  return Number(value);
}

/**
 * A text that becomes part of a token (a label, a prefix): trimmed, at most `max` characters, and
 * without control characters (the core's rule, checked here first so nothing is opened or saved).
 */
export function tokenText(flag: string, value: string | undefined, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length > max) throw new UsageError(`--${flag} must be at most ${max} characters, got ${text.length}`);
  if (hasControlCharacters(text)) throw new UsageError(`--${flag} ${CONTROL_CHARACTERS_MESSAGE}, got ${quoted(text)}`);
  return text || null;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${quoted(value)}`);
  return value as T;
}

export function required<T>(flag: string, value: T | undefined): T {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  return value;
}

export function uidArg(flag: string, value: string): string {
  const parsed = parseUid(value);
  if (!parsed.ok) throw new UsageError(`--${flag}: ${parsed.error}`);
  return parsed.uid;
}

/** `--state` values (a space or a dash for the underscore: "in doubt", "in-doubt"), each one of `states`. */
export function statesArg<S extends string>(values: string[] | undefined, states: readonly S[]): S[] | undefined {
  return values?.map((state) => {
    const key = state.replace(' ', '_').replace('-', '_');
    if (!(states as readonly string[]).includes(key)) throw new UsageError(`--state must be one of ${states.join(', ')}, got ${quoted(state)}`);
    return key as S;
  });
}

/** A command's action word, when its first argument is one of `actions` ("queue retry ..."), and the arguments after it. */
export function actionArg<A extends string>(args: string[], actions: readonly A[]): { action: A | null; rest: string[] } {
  const first = args[0] ?? '';
  return (actions as readonly string[]).includes(first) ? { action: first as A, rest: args.slice(1) } : { action: null, rest: args };
}
