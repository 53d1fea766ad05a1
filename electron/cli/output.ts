/** What the CLI prints: one JSON document (or one JSON line per event) with --json, else plain lines. */
import type { Writable } from 'node:stream';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (Ctrl+C, SIGTERM). */
  interrupted: Promise<void>;
}

export function line(stream: Writable, text: string): void {
  stream.write(text + '\n');
}

export function jsonLine(stream: Writable, value: unknown): void {
  stream.write(JSON.stringify(value) + '\n');
}

/** A plain-text table with padded columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
