/**
 * Packs the app with electron-builder's own code and the real electron-builder.yml (Linux `dir`
 * target) around a STAND-IN Electron distribution, because the Electron binary cannot be
 * downloaded on the machines this project is built and tested on. The stand-in is a folder holding
 * what electron-builder copies: an `electron` file that carries Electron's fuse wire (its sentinel,
 * version, length and the fuse states a real Electron 45 ships with), so that electron-builder's
 * fuse step (@electron/fuses) flips real bytes that can be read back. Everything else, the app's
 * files, node_modules, asar and asarUnpack, is electron-builder's real work.
 *
 * The native addons the app loads from native/electron-<version>-<os>-<arch>/ are Electron builds
 * made by scripts/prepare-electron.js, which needs Electron's headers (not downloadable here
 * either). The stand-in folder holds the Node builds from node_modules instead, at the path the
 * app looks for, so the packed tree can be started in Node (test/packaging/run-packed.ts).
 *
 * Used by packed-app.test.ts and by `npm run bench` (package size).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { FuseV1Options } from '@electron/fuses';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
export const ELECTRON_VERSION = (requireFromRoot('electron/package.json') as { version: string }).version;

/** @electron/fuses' SENTINEL: where Electron's fuse wire starts in its executable. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** A fuse's byte in the wire (@electron/fuses' FuseState, which its index does not export). */
export const FUSE_BYTE = { disabled: 0x30, enabled: 0x31 } as const;

/** The fuse states an unmodified Electron executable carries, in wire order (FuseV1Options). */
export const ELECTRON_DEFAULT_FUSES: Record<FuseV1Options, boolean> = {
  [FuseV1Options.RunAsNode]: true,
  [FuseV1Options.EnableCookieEncryption]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: true,
  [FuseV1Options.EnableNodeCliInspectArguments]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: false,
  [FuseV1Options.OnlyLoadAppFromAsar]: false,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
};

/** The stand-in Electron distribution (see above): an executable with a fuse wire, and a licence. */
function standInElectron(dir: string): string {
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const states = Object.values(FuseV1Options)
    .filter((v): v is FuseV1Options => typeof v === 'number')
    .map((option) => (ELECTRON_DEFAULT_FUSES[option] ? FUSE_BYTE.enabled : FUSE_BYTE.disabled));
  const wire = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in for the Electron executable: it cannot be downloaded here" >&2\nexit 1\n'),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, states.length, ...states]),
    Buffer.from('\n'),
  ]);
  fs.writeFileSync(path.join(dir, 'electron'), wire, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'Stand-in Electron distribution for packaging tests.\n');
  fs.writeFileSync(path.join(dir, 'version'), `${ELECTRON_VERSION}\n`);
  return dir;
}

/** Production packages by their folder in node_modules, from the lockfile (what `npm ci --omit dev` installs). */
function productionFolders(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([folder, entry]) => folder.startsWith('node_modules/') && !entry.dev && fs.existsSync(path.join(ROOT, folder)))
    .map(([folder]) => folder)
    .sort();
}

/**
 * A copy of the project as a build machine has it after `npm run build`, with node_modules holding
 * the production packages only (sources and the other devDependencies are not there, so nothing
 * can be packed from them by accident) and electron's manifest (where electron-builder reads the
 * Electron version; the distribution itself is the stand-in), plus the stand-in native folder.
 */
function stageProject(stage: string): void {
  for (const bundle of ['dist/main/index.cjs', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
    if (!fs.existsSync(path.join(ROOT, bundle))) throw new Error(`${bundle} is missing: run "npm run build" first`);
  }
  for (const entry of ['package.json', 'package-lock.json', 'electron-builder.yml', 'dist', 'build']) {
    fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  for (const folder of productionFolders()) {
    const target = path.join(stage, folder);
    if (!fs.existsSync(target)) fs.cpSync(path.join(ROOT, folder), target, { recursive: true });
  }
  fs.mkdirSync(path.join(stage, 'node_modules', 'electron'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'node_modules/electron/package.json'), path.join(stage, 'node_modules/electron/package.json'));
  const native = path.join(stage, 'native', `electron-${ELECTRON_VERSION}-${process.platform}-${process.arch}`);
  fs.mkdirSync(native, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), path.join(native, 'better_sqlite3.node'));
  fs.copyFileSync(path.join(ROOT, 'node_modules/@pokusew/pcsclite/build/Release/pcsclite.node'), path.join(native, 'pcsclite.node'));
}

export interface Packed {
  /** Where everything was made; remove when done. */
  work: string;
  /** The packed app folder (linux-unpacked). */
  appDir: string;
  resources: string;
  executable: string;
  /** electron-builder's configuration as it packed (the real file, with the output and Electron folders set). */
  config: Configuration;
  seconds: number;
}

export async function packLinuxDir(): Promise<Packed> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'token-station-pack-'));
  try {
    return await packInto(work);
  } catch (error) {
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

async function packInto(work: string): Promise<Packed> {
  const stage = path.join(work, 'project');
  stageProject(stage);
  const electronDist = standInElectron(path.join(work, 'electron-dist'));
  const output = path.join(work, 'release');
  const { build, Platform, Arch } = requireFromRoot('electron-builder') as typeof import('electron-builder');
  const started = performance.now();
  const config = { extends: path.join(stage, 'electron-builder.yml'), directories: { output, buildResources: 'build' }, electronDist };
  const previous = process.env.CSC_IDENTITY_AUTO_DISCOVERY;
  process.env.CSC_IDENTITY_AUTO_DISCOVERY = 'false';
  try {
    await build({ projectDir: stage, targets: Platform.LINUX.createTarget('dir', Arch.x64), publish: 'never', config });
  } finally {
    if (previous === undefined) delete process.env.CSC_IDENTITY_AUTO_DISCOVERY;
    else process.env.CSC_IDENTITY_AUTO_DISCOVERY = previous;
  }
  const seconds = (performance.now() - started) / 1000;
  const { getConfig } = requireFromRoot('app-builder-lib/out/util/config/config.js') as { getConfig: (dir: string, file: string | null, extra: unknown) => Promise<Configuration> };
  const resolved = await getConfig(stage, path.join(stage, 'electron-builder.yml'), null);
  const appDir = path.join(output, 'linux-unpacked');
  const executable = path.join(appDir, (resolved.linux?.executableName as string | undefined) ?? 'token-station');
  return { work, appDir, resources: path.join(appDir, 'resources'), executable, config: resolved, seconds };
}

/** Bytes under a folder (files only). */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

/** The app's share of resources/: everything there that the Electron distribution did not bring. */
export function appResourcesBytes(packed: Packed): number {
  const electronOwn = new Set(fs.readdirSync(path.join(packed.work, 'electron-dist', 'resources')));
  return fs
    .readdirSync(packed.resources, { withFileTypes: true })
    .filter((entry) => !electronOwn.has(entry.name))
    .reduce((sum, entry) => {
      const full = path.join(packed.resources, entry.name);
      return sum + (entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size);
    }, 0);
}
