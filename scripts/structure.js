#!/usr/bin/env node
// `npm run structure`: the code's structure as its imports draw it, for whoever carries the code on.
// It prints each folder of electron/ and renderer/src with its files (lines, and the first sentence
// of the file's opening comment), which folders each folder imports, and every import cycle between
// files. `--files` adds each file's own imports; `--markdown` prints the file map as the README has it; `--readme` writes it into README.md. Nothing is run: imports are read from the sources.
// The architecture test uses the same reading: no cycles, and the README's map names every file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOTS = ['electron', 'renderer/src'];
const SOURCE = /\.(ts|svelte|css)$/;
const RESOLVE_AS = ['', '.ts', '.svelte', '.js', '/index.ts'];

/** Every source file under the roots (declaration files aside), as paths relative to `root`. */
export function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const r of ROOTS) if (fs.existsSync(path.join(root, r))) walk(r);
  return out.sort();
}

/** The files of this tree that `file` imports (static and dynamic imports with a literal path). */
export function importsOf(root, file, known) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const specs = new Set();
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/gm)) specs.add(m[1]);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/gm)) specs.add(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.add(m[1]);
  const out = new Set();
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const hit = RESOLVE_AS.map((ext) => base + ext).find((candidate) => known.has(candidate)) ??
      (base.endsWith('.js') && known.has(base.replace(/\.js$/, '.ts')) ? base.replace(/\.js$/, '.ts') : undefined);
    if (hit && hit !== file) out.add(hit);
  }
  return [...out].sort();
}

/** The first sentence of a file's opening comment (a block, line or HTML comment), or ''. */
export function purposeOf(root, file) {
  let text = fs.readFileSync(path.join(root, file), 'utf8');
  if (file.endsWith('.svelte')) text = text.replace(/^\s*<script[^>]*>/, '');
  const m = text.match(/^\s*(?:\/\*\*?([\s\S]*?)\*\/|((?:[ \t]*\/\/[^\n]*\n)+)|<!--([\s\S]*?)-->)/);
  if (!m) return '';
  const body = (m[1] ?? m[2] ?? m[3]).replace(/^[ \t]*(\*|\/\/)[ \t]?/gm, '').replace(/\s+/g, ' ').trim();
  const sentence = (body.match(/^(.*?\.)(\s|$)/)?.[1] ?? body).trim();
  if (sentence.length <= 160) return sentence;
  const cut = sentence.slice(0, 157);
  return `${cut.slice(0, cut.lastIndexOf(' ')).replace(/[\s,;:(]+$/, '')}…`;
}

/** Cycles of imports between files (Tarjan's strongly connected components of more than one file). */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const found = [];
  const visit = (v) => {
    meta.set(v, { index, low: index, on: true });
    index += 1;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!meta.has(w)) {
        visit(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).on) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).on = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!meta.has(v)) visit(v);
  return found;
}

/** The tree as the imports draw it. */
export function readStructure(root) {
  const files = sourceFiles(root);
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(root, f, known)]));
  return { files, graph, cycles: cycles(graph) };
}

const folderOf = (file) => path.posix.dirname(file);

/** The files as the README's map lists them: a bold folder line, then one bullet per file. */
function markdown(root, files) {
  const lines = [];
  for (const folder of [...new Set(files.map(folderOf))].sort()) {
    lines.push('', `**\`${folder}/\`**`);
    for (const f of files.filter((g) => folderOf(g) === folder)) lines.push(`- \`${path.posix.basename(f)}\`: ${purposeOf(root, f)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Rewrites the README's file map (between its two markers) from the code; the rest of the README is kept. */
function writeReadmeMap(root, map) {
  const readme = path.join(root, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const start = '<!-- files:start -->';
  const end = '<!-- files:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers`);
  fs.writeFileSync(readme, text.slice(0, from + start.length) + map.replace(/^\n/, '\n') + text.slice(to));
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const withFiles = process.argv.includes('--files');
  const { files, graph, cycles: loops } = readStructure(root);
  if (process.argv.includes('--markdown')) return void process.stdout.write(markdown(root, files));
  if (process.argv.includes('--readme')) return void writeReadmeMap(root, markdown(root, files));
  const folders = [...new Set(files.map(folderOf))].sort();
  const lines = [];
  for (const folder of folders) {
    const own = files.filter((f) => folderOf(f) === folder);
    const uses = new Map();
    for (const f of own) for (const g of graph.get(f)) if (folderOf(g) !== folder) uses.set(folderOf(g), (uses.get(folderOf(g)) ?? 0) + 1);
    const total = own.reduce((n, f) => n + fs.readFileSync(path.join(root, f), 'utf8').split('\n').length, 0);
    lines.push(`${folder}/  (${own.length} files, ${total} lines)`);
    if (uses.size) lines.push(`  imports: ${[...uses].sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} (${n})`).join(', ')}`);
    for (const f of own) {
      const n = fs.readFileSync(path.join(root, f), 'utf8').split('\n').length;
      const purpose = purposeOf(root, f);
      lines.push(`  ${path.posix.basename(f).padEnd(30)} ${String(n).padStart(4)}  ${purpose}`);
      if (withFiles && graph.get(f).length) lines.push(`  ${''.padEnd(36)}-> ${graph.get(f).join(', ')}`);
    }
  }
  lines.push('', loops.length ? `import cycles (${loops.length}):` : 'import cycles: none');
  for (const loop of loops) lines.push(`  ${loop.join(' <-> ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
