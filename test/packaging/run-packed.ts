/**
 * Starts a PACKED app in Node, as far as Node can stand in for Electron: the main bundle and the
 * preload are loaded from app.asar's extracted tree with the typed fake `electron`
 * (test/electron/fake-electron.ts), and the process is made to resolve files the way Electron's
 * asar support does (electron/electron lib/node/asar-fs-wrapper.ts):
 *  - TREE is app.asar extracted into a folder that is itself named `app.asar`, beside the packed
 *    `app.asar.unpacked`, so every path the app computes is the path it has in Electron;
 *  - module resolution from the tree must stay in the tree (or Node's built-ins): a require that
 *    would reach the repository's node_modules, NODE_PATH or a global folder is refused, and every
 *    require that fails is recorded;
 *  - native addons: Electron wraps process.dlopen (and require's '.node' loader) to call
 *    archive.copyFileOut(), which gives the file's path in app.asar.unpacked for an entry the
 *    archive header marks unpacked, and otherwise copies the file out to a temporary file. Here an
 *    unpacked entry is redirected to app.asar.unpacked (the tree holds only a placeholder for it),
 *    and a .node packed inside the archive is refused: a temporary copy is what electron-builder's
 *    asarUnpack exists to avoid (it fails where the temp folder is mounted noexec, is blocked by
 *    anti-virus, and loses any file the addon loads beside itself).
 * Prints a JSON report as the last line of stdout.
 *   node --import tsx run-packed.ts TREE ARCHIVE DATA_DIR
 */
import Module, { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import * as asar from '@electron/asar';
import * as fake from '../electron/fake-electron';

const [treeArg, archive, dataDir] = process.argv.slice(2);
const tree = path.resolve(treeArg!);
const resources = path.dirname(tree);
const unpacked = path.join(resources, 'app.asar.unpacked');
const inTree = (file: string) => file === tree || file.startsWith(tree + path.sep);
const rel = (file: string) => path.relative(tree, file).split(path.sep).join('/');

const report = {
  missing: [] as { request: string; from: string; error: string }[],
  outside: [] as { request: string; from: string; resolved: string }[],
  refusedAddons: [] as { file: string; why: string }[],
  loadedAddons: [] as string[],
  required: [] as string[],
};

// Electron sets these in its main process; the app reads process.versions.electron to pick its addons.
Object.defineProperty(process.versions, 'electron', { value: process.env.PACKED_ELECTRON_VERSION, enumerable: true });
Object.defineProperty(process, 'resourcesPath', { value: resources, enumerable: true });
fake.scenario.userData = dataDir!;
fake.scenario.logs = path.join(dataDir!, 'logs');

type Resolve = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean, options?: unknown) => string;
type Load = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;
const internals = Module as unknown as { _resolveFilename: Resolve; _load: Load };
const originalResolve = internals._resolveFilename;
const originalLoad = internals._load;

internals._load = function (request, parent, isMain) {
  const from = parent?.filename;
  if (from && inTree(from)) report.required.push(request);
  if (request === 'electron') return fake;
  return originalLoad.call(this, request, parent, isMain);
};

internals._resolveFilename = function (request, parent, isMain, options) {
  const from = parent?.filename ?? undefined;
  const fromTree = from !== undefined && inTree(from);
  let resolved: string;
  try {
    resolved = originalResolve.call(this, request, parent, isMain, options);
  } catch (error) {
    // An absolute path is a probe (`bindings` tries several build folders in turn); a package or a
    // relative file that cannot be found is missing from the package.
    if (fromTree && !path.isAbsolute(request)) report.missing.push({ request, from: rel(from), error: (error as Error).message.split('\n')[0]! });
    throw error;
  }
  const builtin = builtinModules.includes(resolved.replace(/^node:/, ''));
  if (fromTree && !builtin && !inTree(resolved)) {
    report.outside.push({ request, from: rel(from), resolved });
    throw new Error(`"${request}" from ${rel(from)} resolves outside the packed app, to ${resolved}`);
  }
  return resolved;
};

const dlopen = process.dlopen;
process.dlopen = function (module: object, filename: string, ...rest: [number?]) {
  const file = path.resolve(filename);
  if (!inTree(file)) {
    report.refusedAddons.push({ file, why: 'outside the packed app' });
    throw new Error(`native addon outside the packed app: ${file}`);
  }
  let entry: { unpacked?: boolean } | undefined;
  try {
    entry = asar.statFile(archive!, rel(file)) as { unpacked?: boolean };
  } catch {
    entry = undefined;
  }
  if (!entry) {
    report.refusedAddons.push({ file: rel(file), why: 'not in app.asar' });
    throw new Error(`ENOENT, ${rel(file)} not found in ${archive}`);
  }
  if (!entry.unpacked) {
    report.refusedAddons.push({ file: rel(file), why: 'packed inside app.asar' });
    throw new Error(`native addon ${rel(file)} is packed inside app.asar; it must be unpacked beside it (asarUnpack)`);
  }
  const real = path.join(unpacked, rel(file));
  report.loadedAddons.push(path.relative(resources, real).split(path.sep).join('/'));
  return dlopen.call(process, module, real, ...rest);
} as typeof process.dlopen;

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Answer = { ok: boolean; value?: unknown; error?: unknown };

async function run() {
  const requireInTree = Module.createRequire(path.join(tree, 'package.json'));
  requireInTree('./dist/main/index.cjs');
  fake.app.makeReady();
  // The window, or the error box the shell shows when it cannot start.
  await until(() => fake.record.windows[0] ?? (fake.record.errorBoxes.length > 0 ? null : undefined), 15_000);
  const window = fake.record.windows[0];
  if (!window) return { started: false, errorBoxes: fake.record.errorBoxes };
  await until(() => window.loadedUrl ?? undefined, 15_000);
  const preload = String(window.options.webPreferences?.preload);
  const index = await fake.record.protocolHandlers.get('app')!(new Request('app://station/index.html') as never);

  // The preload, from the tree, answered by the main process's handlers over the channels it invokes.
  requireInTree(preload);
  const api = fake.record.exposed.get('station') as { call: (name: string, input: unknown) => Promise<unknown> };
  const trusted = fake.invokeEvent(window.webContents, window.webContents.mainFrame);
  const call = async (name: string, input: unknown): Promise<Answer> => {
    const before = fake.record.invoked.length;
    await api.call(name, input);
    const sent = fake.record.invoked[before]!;
    const handler = fake.record.ipcHandlers.get(sent.channel);
    if (!handler) return { ok: false, error: `no handler for ${sent.channel}` };
    return (await handler(trusted, ...sent.args)) as Answer;
  };
  const info = await call('app.info', {});
  await call('enrollment.update', { customerId: 1001 });
  const tap = await call('readers.simulateTap', { uid: '04A224B2C35D80' });
  const queue = await call('queue.list', { limit: 5 });
  // PC/SC loads its addon when the readers start; node-hid when it first lists devices, which it
  // does once an HID reader is configured (a made-up one: no such device is attached).
  const hid = await call('readers.configure', { hidDevices: ['FFFF:0001'] });
  // Wait for PC/SC's and HID's addons (or give up).
  await until(() => (report.loadedAddons.length >= 3 || report.missing.length > 0 ? true : undefined), 5_000);
  const readers = await call('readers.status', {});

  const quitDone = new Promise<void>((resolve) => fake.app.once('quit-done', resolve));
  fake.app.quit();
  await Promise.race([quitDone, new Promise((r) => setTimeout(r, 10_000))]);
  return {
    started: true,
    errorBoxes: fake.record.errorBoxes,
    windows: fake.record.windows.length,
    loadedUrl: window.loadedUrl,
    index: { status: index.status, html: (await index.text()).slice(0, 100) },
    preload: { path: preload, inTree: inTree(preload), exposed: [...fake.record.exposed.keys()] },
    ipc: { info, tap, queue, readers, hid },
    database: fs.readdirSync(dataDir!).filter((f) => f.endsWith('.sqlite')),
  };
}

let outcome: unknown;
try {
  outcome = await run();
} catch (error) {
  outcome = { started: false, thrown: error instanceof Error ? error.message : String(error), errorBoxes: fake.record.errorBoxes };
}
process.stdout.write('\n' + JSON.stringify({ ...report, required: [...new Set(report.required)], outcome }) + '\n');
process.exit(0);
