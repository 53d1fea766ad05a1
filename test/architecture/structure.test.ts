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

describe('the size of a file', () => {
  // A file over 400 lines has, so far, always turned out to hold two jobs. The ones allowed to be
  // longer are catalogues: one list of words or settings, each entry standing alone.
  const LIMIT = 400;
  const CATALOGUES: Record<string, string> = {
    'renderer/src/views/FilesView.wording.ts': "the Files screen's wording in English and Danish",
  };
  const lengthOf = (file: string) => readFileSync(path.join(root, file), 'utf8').match(/\n/g)?.length ?? 0;

  it(`keeps every source file under ${LIMIT} lines unless it is one catalogue`, () => {
    const { files } = readStructure(root) as { files: string[] };
    const long = files.filter((file) => lengthOf(file) > LIMIT && !(file in CATALOGUES));
    expect(long.map((file) => `${file} (${lengthOf(file)} lines)`)).toEqual([]);
  });

  it('names only catalogues that exist and are still long (the list does not go stale)', () => {
    for (const file of Object.keys(CATALOGUES)) expect(lengthOf(file), file).toBeGreaterThan(LIMIT);
  });
});

describe('the layers', () => {
  const { graph } = readStructure(root) as { graph: Map<string, string[]> };
  const importsFrom = (from: string, to: string[]) =>
    [...graph].flatMap(([file, uses]) => (file.startsWith(from) ? uses.filter((u) => to.some((t) => u.startsWith(t))).map((u) => `${file} -> ${u}`) : []));

  it('the core imports nothing of the window, the contract or the Electron shell', () => {
    expect(importsFrom('electron/core/', ['electron/contract/', 'electron/main', 'electron/preload', 'renderer/'])).toEqual([]);
  });

  it('the window reaches the main process only through the contract', () => {
    expect(importsFrom('renderer/', ['electron/core/', 'electron/sandbox/', 'electron/cli/'])).toEqual([]);
  });
});
