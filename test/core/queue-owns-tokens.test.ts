import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The queue owns the tokens table: every statement on it is in electron/core/queue/ (the
// migrations, which create and reshape the table, are the one other place). A second copy of a
// query elsewhere is how import once held back a card the queue would have let in.
const ROOT = path.resolve(__dirname, '../..');
const OWNER = 'electron/core/queue/';
const MIGRATIONS = 'electron/core/db/migrations.ts';
const STATEMENT = /\b(?:FROM|INTO|UPDATE|JOIN|TABLE|ON)\s+tokens\b/i;
const COMMENT = /^\s*(?:\*|\/\/|\/\*)/;

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [rel] : [];
  });
}

describe('the tokens table', () => {
  it('is queried only by the queue (and created by the migrations)', () => {
    const files = sources('electron');
    expect(files.some((f) => f.startsWith(OWNER))).toBe(true);
    const outside = files
      .filter((f) => !f.startsWith(OWNER) && f !== MIGRATIONS)
      .flatMap((f) =>
        readFileSync(path.join(ROOT, f), 'utf8')
          .split('\n')
          // Comments may speak of tokens ("a batch from tokens the desk has read"): only code counts.
          .flatMap((line, i) => (STATEMENT.test(line) && !COMMENT.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(outside).toEqual([]);
  });
});
