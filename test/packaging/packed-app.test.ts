// The app as a desk installs it, as far as this machine allows: electron-builder packs the real
// electron-builder.yml's Linux `dir` target around a stand-in Electron distribution (pack.ts says
// why and what it is). Then, on the packed tree: the fuses are read back from the packed executable,
// app.asar is listed and its size checked, and the packed tree is started on its own in Node
// (run-packed.ts: the fake `electron`, resolution confined to the tree, addons reached through
// app.asar.unpacked as Electron reaches them). Two mutations of the packed tree prove the start
// check fails when a runtime dependency is missing from the package or an addon is packed inside
// the archive.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as asar from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appResourcesBytes, ELECTRON_DEFAULT_FUSES, ELECTRON_VERSION, FUSE_BYTE, packLinuxDir, ROOT, type Packed } from './pack';

const MB = 1024 * 1024;
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** The goal is under 15 MB (about 3 MB today); above 20 MB something that does not belong is packed. */
const RESOURCES_LIMIT = 20 * MB;

/** Fuse names in electron-builder.yml -> their place in Electron's fuse wire. */
const FUSE_INDEX: Record<string, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
};

interface StartReport {
  missing: { request: string; from: string }[];
  outside: { request: string; resolved: string }[];
  refusedAddons: { file: string; why: string }[];
  loadedAddons: string[];
  required: string[];
  outcome: {
    started: boolean;
    thrown?: string;
    errorBoxes: string[];
    windows?: number;
    loadedUrl?: string;
    index?: { status: number; html: string };
    preload?: { path: string; inTree: boolean; exposed: string[] };
    ipc?: Record<string, { ok: boolean; value?: unknown }>;
    database?: string[];
  };
}

/**
 * Extract `archive` into WORK/resources/app.asar/ beside WORK/resources/app.asar.unpacked (a link to
 * the packed one), with a placeholder where each unpacked addon is, so that only the redirect
 * Electron does (run-packed.ts) can load it.
 */
function extractForStart(archive: string, work: string): string {
  const resources = path.join(work, 'resources');
  const tree = path.join(resources, 'app.asar');
  fs.rmSync(resources, { recursive: true, force: true });
  asar.extractAll(archive, tree);
  if (fs.existsSync(`${archive}.unpacked`)) fs.symlinkSync(`${archive}.unpacked`, path.join(resources, 'app.asar.unpacked'));
  for (const file of asar.listPackage(archive, { isPack: false })) {
    const entry = asar.statFile(archive, file.slice(1)) as { unpacked?: boolean; files?: unknown };
    if (entry.unpacked && !entry.files && file.endsWith('.node')) fs.writeFileSync(path.join(tree, file), 'placeholder: Electron loads this file from app.asar.unpacked\n');
  }
  return tree;
}

function start(tree: string, archive: string, dataDir: string): StartReport {
  fs.mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PACKED_ELECTRON_VERSION: ELECTRON_VERSION, TOKEN_STATION_API_KEY: '', TOKEN_STATION_API_URL: '', TOKEN_STATION_DATA_DIR: '' };
  delete env.NODE_PATH;
  // The runner is TypeScript from this repository (tsx by its path: the child runs outside the
  // repository). Its stderr (the app's own log) is kept out of the test output unless it fails.
  const run = spawnSync(process.execPath, ['--import', TSX, path.join(import.meta.dirname, 'run-packed.ts'), tree, archive, dataDir], {
    cwd: path.dirname(tree),
    encoding: 'utf8',
    timeout: 90_000,
    env,
  });
  const last = run.stdout?.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) throw new Error(`run-packed.ts failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(last) as StartReport;
}

/** What keeps the packed app from starting as a desk would need it; empty when it starts. */
function problems(report: StartReport): string[] {
  const found: string[] = [];
  for (const m of report.missing) found.push(`cannot resolve "${m.request}" from ${m.from}`);
  for (const o of report.outside) found.push(`"${o.request}" resolves outside the package (${o.resolved})`);
  for (const a of report.refusedAddons) found.push(`addon ${a.file}: ${a.why}`);
  const { outcome } = report;
  if (!outcome.started) found.push(`did not start: ${outcome.thrown ?? outcome.errorBoxes.join('; ')}`);
  for (const box of outcome.errorBoxes) found.push(`error box: ${box}`);
  const native = `app.asar.unpacked/native/electron-${ELECTRON_VERSION}-${process.platform}-${process.arch}`;
  for (const addon of [`${native}/better_sqlite3.node`, `${native}/pcsclite.node`]) {
    if (!report.loadedAddons.includes(addon)) found.push(`${addon} was not loaded`);
  }
  if (!report.loadedAddons.some((a) => a.startsWith('app.asar.unpacked/node_modules/node-hid/prebuilds/'))) found.push('node-hid\'s addon was not loaded');
  return found;
}

describe('the packed app (Linux dir target, stand-in Electron)', () => {
  let packed: Packed;
  let archive: string;
  let listing: string[];
  beforeAll(async () => {
    packed = await packLinuxDir();
    archive = path.join(packed.resources, 'app.asar');
    listing = asar.listPackage(archive, { isPack: false });
  }, 240_000);
  afterAll(() => {
    if (packed) fs.rmSync(packed.work, { recursive: true, force: true });
  });

  it('carries the configured fuses in the packed executable, flipped from Electron\'s defaults', async () => {
    const wire = await getCurrentFuseWire(packed.executable);
    const configured = packed.config.electronFuses as Record<string, boolean>;
    expect(Object.keys(configured).sort()).toEqual(Object.keys(FUSE_INDEX).sort());
    for (const [name, value] of Object.entries(configured)) {
      expect(wire[FUSE_INDEX[name]!], name).toBe(value ? FUSE_BYTE.enabled : FUSE_BYTE.disabled);
    }
    // The step really ran: the fuses that protect the app differ from what Electron ships with.
    expect(ELECTRON_DEFAULT_FUSES[FuseV1Options.RunAsNode]).toBe(true);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FUSE_BYTE.disabled);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FUSE_BYTE.enabled);
  });

  it('packs the bundles and the native packages\' run-time files only, every addon unpacked beside the archive', () => {
    for (const file of ['/package.json', '/dist/main/index.cjs', '/dist/preload/index.cjs', '/dist/renderer/index.html']) expect(listing).toContain(file);
    const offenders = listing.filter((f) => /\.(map|ts|cc|cpp|c|h|gyp)$/.test(f) || f.startsWith('/dist/cli') || f.startsWith('/electron/') || f.startsWith('/test/'));
    expect(offenders).toEqual([]);
    const packages = new Set(listing.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/').slice(2, f.split('/')[2]!.startsWith('@') ? 4 : 3).join('/')));
    expect([...packages].sort()).toEqual(['@pokusew', '@pokusew/pcsclite', 'better-sqlite3', 'bindings', 'file-uri-to-path', 'nfc-pcsc', 'node-hid', 'pkg-prebuilds']);
    const addons = listing.filter((f) => f.endsWith('.node'));
    expect(addons.length).toBeGreaterThanOrEqual(4);
    for (const addon of addons) {
      expect((asar.statFile(archive, addon.slice(1)) as { unpacked?: boolean }).unpacked, addon).toBe(true);
      expect(fs.existsSync(path.join(`${archive}.unpacked`, addon)), addon).toBe(true);
    }
    // node-hid's prebuilds for this OS and architecture only.
    expect(addons.filter((f) => f.includes('/node-hid/')).every((f) => f.includes(`-${process.platform}-${process.arch}/`))).toBe(true);
  });

  it(`keeps the app's resources under ${RESOURCES_LIMIT / MB} MB`, () => {
    const bytes = appResourcesBytes(packed);
    console.log(`app resources: ${(bytes / MB).toFixed(1)} MB (packed in ${packed.seconds.toFixed(1)} s)`);
    expect(bytes).toBeLessThan(RESOURCES_LIMIT);
  });

  it('starts from the packed tree alone: the window, the preload answered over IPC, the database opened', () => {
    const tree = extractForStart(archive, path.join(packed.work, 'start'));
    const report = start(tree, archive, path.join(packed.work, 'start-data'));
    expect(problems(report)).toEqual([]);
    const { outcome } = report;
    expect(outcome.windows).toBe(1);
    expect(outcome.loadedUrl).toBe('app://station/index.html');
    expect(outcome.index?.status).toBe(200);
    expect(outcome.index?.html).toMatch(/<!doctype html>/i);
    expect(outcome.preload).toEqual({ path: path.join(tree, 'dist', 'preload', 'index.cjs'), inTree: true, exposed: ['station'] });
    expect(outcome.ipc?.info).toMatchObject({ ok: true, value: { mode: 'sandbox' } });
    expect(outcome.ipc?.hid).toMatchObject({ ok: true, value: { hidDevices: ['FFFF:0001'] } });
    expect(outcome.ipc?.tap).toMatchObject({ ok: true, value: { status: 'queued' } });
    expect(outcome.ipc?.queue).toMatchObject({ ok: true });
    expect(JSON.stringify(outcome.ipc?.queue)).toContain('04A224B2C35D80');
    expect(outcome.database).toEqual(['token-station.sqlite']);
    // What the packed code requires beside Node's built-ins and its own files: the native packages and theirs.
    const packages = report.required.filter((r) => !r.startsWith('.') && !path.isAbsolute(r) && !r.startsWith('node:') && !builtinModules.includes(r));
    expect([...new Set(packages)].sort()).toEqual(['@pokusew/pcsclite', 'better-sqlite3', 'bindings', 'electron', 'file-uri-to-path', 'nfc-pcsc', 'node-hid', 'pkg-prebuilds/bindings']);
  });

  it('fails to start when a run-time dependency is missing from the package', () => {
    const tree = extractForStart(archive, path.join(packed.work, 'missing'));
    fs.rmSync(path.join(tree, 'node_modules', 'bindings'), { recursive: true });
    const found = problems(start(tree, archive, path.join(packed.work, 'missing-data')));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/cannot resolve "bindings" from node_modules\/@pokusew\/pcsclite/)]));
  });

  it('fails to start when a native addon is packed inside the archive instead of beside it', async () => {
    // The same files, archived again without asarUnpack: every addon inside app.asar.
    const full = path.join(packed.work, 'full');
    asar.extractAll(archive, full);
    const inside = path.join(packed.work, 'inside', 'app.asar');
    await asar.createPackageWithOptions(full, inside, {});
    expect(fs.existsSync(`${inside}.unpacked`)).toBe(false);
    const tree = extractForStart(inside, path.join(packed.work, 'inside-start'));
    const found = problems(start(tree, inside, path.join(packed.work, 'inside-data')));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/better_sqlite3\.node: packed inside app\.asar/)]));
  });
});
