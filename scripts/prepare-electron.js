#!/usr/bin/env node
// Two runtimes, one checkout: `npm install` builds the native addons for Node (tests, CLI). This
// script builds a second copy of each for Electron's ABI into native/electron-<version>-<os>-<arch>/,
// where the app picks it up at load time (electron/core/native.ts). node_modules is never touched,
// so the tests keep working after `npm start` and the app keeps working after `npm test`.
//
//   node scripts/prepare-electron.js [--runtime electron|node] [--target VERSION] [--out DIR] [--force] [--dry-run]
//
// On a machine with internet, node-gyp fetches Electron's headers. npm_config_nodedir is removed
// for Electron builds: set (as on some build machines) it makes node-gyp silently build against
// Node's own headers, giving an addon Electron refuses to load.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** Keep in step with NATIVE_ADDONS in electron/core/native.ts. */
const ADDONS = [
  { packageName: 'better-sqlite3', file: 'better_sqlite3.node' },
  { packageName: '@pokusew/pcsclite', file: 'pcsclite.node' },
];

const { values } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'electron' },
    target: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
});

if (!['electron', 'node'].includes(values.runtime)) {
  console.error(`prepare-electron: --runtime must be electron or node, got ${values.runtime}`);
  process.exit(2);
}
const runtime = values.runtime;
const target = values.target ?? (runtime === 'electron' ? require('electron/package.json').version : process.versions.node);
const dirName = `${runtime}-${target}-${process.platform}-${process.arch}`;
const outDir = path.resolve(values.out ?? path.join(root, 'native', dirName));
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');

/** The environment node-gyp runs in: without any nodedir for Electron (see above). */
function buildEnv() {
  const env = { ...process.env };
  if (runtime === 'electron') {
    for (const key of Object.keys(env)) if (/^npm_config_(nodedir|dist_url|runtime|target)$/i.test(key)) delete env[key];
  }
  return env;
}

function gypArgs() {
  const args = [nodeGyp, 'rebuild', '--release', `--target=${target}`, `--arch=${process.arch}`];
  if (runtime === 'electron') args.push('--runtime=electron', '--dist-url=https://electronjs.org/headers');
  // For Node, honour a configured header folder (machines without internet have one).
  const nodedir = process.env.npm_config_nodedir ?? process.env.NPM_CONFIG_NODEDIR;
  if (runtime === 'node' && nodedir) args.push(`--nodedir=${nodedir}`);
  return args;
}

const plan = ADDONS.map(({ packageName, file }) => ({
  packageName,
  source: path.dirname(require.resolve(`${packageName}/package.json`)),
  // Inside the project, so that binding.gyp's `require('nan')` still resolves from node_modules.
  work: path.join(root, 'native', '.build', dirName, packageName.replace('/', '+')),
  output: path.join(outDir, file),
}));

if (values['dry-run']) {
  const env = buildEnv();
  console.log(JSON.stringify({ runtime, target, outDir, args: gypArgs(), nodedir: env.npm_config_nodedir ?? env.NPM_CONFIG_NODEDIR ?? null, plan }, null, 2));
  process.exit(0);
}

fs.mkdirSync(outDir, { recursive: true });
for (const addon of plan) {
  if (fs.existsSync(addon.output) && !values.force) {
    console.log(`prepare-electron: ${addon.packageName} for ${runtime} ${target} is ready (${path.relative(root, addon.output)})`);
    continue;
  }
  console.log(`prepare-electron: building ${addon.packageName} for ${runtime} ${target} (about a minute)...`);
  fs.rmSync(addon.work, { recursive: true, force: true });
  fs.cpSync(addon.source, addon.work, {
    recursive: true,
    filter: (src) => !/[\\/](build|node_modules|prebuilds)$/.test(src),
  });
  execFileSync(process.execPath, gypArgs(), { cwd: addon.work, env: buildEnv(), stdio: 'inherit' });
  fs.copyFileSync(path.join(addon.work, 'build', 'Release', path.basename(addon.output)), addon.output);
  fs.rmSync(addon.work, { recursive: true, force: true });
  console.log(`prepare-electron: ${path.relative(root, addon.output)} written`);
}
fs.rmSync(path.join(root, 'native', '.build'), { recursive: true, force: true });
