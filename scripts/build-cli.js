#!/usr/bin/env node
// Bundles the CLI (electron/cli/main.ts and the core under it) into dist/cli/token-station.mjs with
// esbuild, so `token-station` starts as plain JavaScript instead of compiling TypeScript at every
// run. Run by `npm install` (the `prepare` script) and `npm run build`; bin/token-station.js loads it.
// The native packages stay external: they load their compiled addons from node_modules.
// dist/cli/inputs.json lists the files the bundle was made from, so a stale bundle can be detected
// (test/support/cli.ts rebuilds it before the CLI tests run).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'cli', 'token-station.mjs');

const result = await build({
  absWorkingDir: root,
  entryPoints: ['electron/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'nfc-pcsc', '@pokusew/pcsclite', 'node-hid'],
  // Bundled CommonJS packages (electron-log, ...) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __tsCreateRequire } from 'node:module'; const require = __tsCreateRequire(import.meta.url);" },
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/')).sort();
fs.writeFileSync(path.join(root, 'dist', 'cli', 'inputs.json'), JSON.stringify(inputs, null, 1) + '\n');
