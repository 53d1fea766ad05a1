/** What the CLI prints: one JSON document (or one JSON line per event) with --json, else plain lines. */
import type { Writable } from 'node:stream';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (Ctrl+C, SIGTERM). */
  interrupted: Promise<void>;
}

/** One or more lines; control characters inside them are escaped (see printable), the line breaks kept. */
export function line(stream: Writable, text: string): void {
  stream.write(text.split('\n').map(printable).join('\n') + '\n');
}

export function jsonLine(stream: Writable, value: unknown): void {
  stream.write(JSON.stringify(value) + '\n');
}

/** A plain-text table with padded columns. */
export function table(rows: string[][]): string {
  rows = rows.map((r) => r.map(printable));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * Text from outside (a label, a comment, a value typed on the command line, an error from a
 * server) made safe for a terminal: newlines, tabs, escape sequences, BEL, other C0 and C1
 * controls and the bidi controls that reorder a line are shown as escapes (\n, \x1b, \u202e)
 * instead of acting on the terminal.
 */
export function printable(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A value echoed in a message: at most `max` characters, the rest replaced by "…". */
export function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A value from outside, quoted in a message: shortened and printable. */
export function quoted(text: string, max = 40): string {
  return `"${printable(shorten(text, max))}"`;
}
