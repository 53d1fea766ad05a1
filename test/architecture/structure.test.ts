// The code's structure as its imports draw it (scripts/structure.js, `npm run structure`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, purposeOf, readStructure } from '../../scripts/structure.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('the structure of electron/ and renderer/src', () => {
  it('has no import cycles between files: each file can be read (and tested) from the ones below it', () => {
    const structure = readStructure(root) as { files: string[]; cycles: string[][] };
    expect(structure.files.length).toBeGreaterThan(100);
    expect(structure.cycles).toEqual([]);
  });

  it('finds a cycle when there is one (the reading is not blind)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('reads imports of every kind the code uses', () => {
    const { graph } = readStructure(root) as { graph: Map<string, string[]> };
    // A static import, a type-only import, a dynamic import and a Svelte component's import.
    expect(graph.get('electron/core/station.ts')).toContain('electron/core/queue/index.ts');
    expect(graph.get('electron/core/diagnostics.ts')).toContain('electron/core/station-events.ts');
    expect(graph.get('electron/cli/commands.ts')!.length).toBeGreaterThan(3);
    expect(graph.get('renderer/src/App.svelte')).toContain('renderer/src/components/HeaderBar.svelte');
  });
});

describe("the README's map of the files", () => {
  it('lists every source file with its job, as the code says it (npm run structure -- --markdown)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const listed = /<!-- files:start -->([\s\S]*?)<!-- files:end -->/.exec(readme)?.[1];
    expect(listed, 'the README has a file map between its markers').toBeDefined();
    expect(listed).toBe(execFileSync(process.execPath, [path.join(root, 'scripts/structure.js'), '--markdown'], { encoding: 'utf8' }));
  });

  it('has a job for every file: each opens with a comment saying what it is for', () => {
    const { files } = readStructure(root) as { files: string[] };
    expect(files.filter((file) => purposeOf(root, file) === '')).toEqual([]);
  });
});
