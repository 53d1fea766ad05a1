#!/usr/bin/env node
// Bundles the CLI (electron/cli/main.ts and the core under it) into dist/cli/token-station.mjs with
// esbuild, so `token-station` starts as plain JavaScript instead of compiling TypeScript at every
// run. Run by `npm install` (the `prepare` script) and `npm run build`; bin/token-station.js loads it.
// The native packages stay external: they load their compiled addons from node_modules.
// Code splitting: each command is a dynamic import (electron/cli/commands.ts), so its code and the
// part of the core it uses land in chunks beside the entry (dist/cli/chunks/), loaded only when
// that command runs. Loading the whole core at every start (zod alone is most of it) made start-up
// several times a bare Node's.
// dist/cli/inputs.json lists the files the bundle was made from, so a stale bundle can be detected
// (test/support/cli.ts rebuilds it before the CLI tests run).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'cli');
// The native packages (CommonJS) are loaded with require(), not an ESM import: Node would first
// parse an imported CommonJS file with its export lexer, which cost `queue` (better-sqlite3) about
// 20 ms of its start on Node 22. Each chunk's require comes from the banner below.
const NATIVE = ['better-sqlite3', 'nfc-pcsc', '@pokusew/pcsclite', 'node-hid'];
const nativeByRequire = {
  name: 'native-by-require',
  setup(b) {
    const filter = new RegExp(`^(${NATIVE.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'native-by-require' ? { path: args.path, external: true } : { path: args.path, namespace: 'native-by-require' }));
    b.onLoad({ filter: /.*/, namespace: 'native-by-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

// Chunk names carry a content hash: a previous build's chunks would otherwise pile up beside the new ones.
fs.rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { 'token-station': 'electron/cli/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: NATIVE,
  plugins: [nativeByRequire],
  // Bundled CommonJS packages (electron-log, ...) call require() for Node's built-ins. The banner
  // heads every output file, each chunk being a module of its own.
  banner: { js: "import { createRequire as __tsCreateRequire } from 'node:module'; const require = __tsCreateRequire(import.meta.url);" },
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/') && !file.startsWith('native-by-require:')).sort();
fs.writeFileSync(path.join(outdir, 'inputs.json'), JSON.stringify(inputs, null, 1) + '\n');
