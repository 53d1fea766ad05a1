/**
 * Two runtimes, one checkout. `npm install` compiles the native addons for Node (tests, CLI);
 * `npm start` (scripts/prepare-electron.js) compiles a second copy of each for Electron's ABI into
 * native/electron-<version>-<platform>-<arch>/. At load time each runtime picks its own build,
 * so neither ever needs a rebuild that would break the other.
 */
import fs from 'node:fs';
import path from 'node:path';

export const NATIVE_ADDONS = {
  sqlite: { packageName: 'better-sqlite3', file: 'better_sqlite3.node' },
  pcsc: { packageName: '@pokusew/pcsclite', file: 'pcsclite.node' },
} as const;

export type NativeAddon = keyof typeof NATIVE_ADDONS;

/**
 * Addons that need no Electron build: node-hid ships N-API prebuilds (prebuilds/HID*-<os>-<arch>/
 * node-napi-v4.node, picked by pkg-prebuilds at load time). N-API is one ABI for Node and Electron,
 * so the same file loads in both, from node_modules (asarUnpack "**\/*.node" in packaged apps);
 * prepare-electron.js leaves it alone and core/readers/hid.ts simply requires node-hid.
 */
export const NAPI_PREBUILT_ADDONS = {
  hid: { packageName: 'node-hid', napiVersion: 4 },
} as const;

export function electronNativeDirName(electronVersion: string, platform = process.platform, arch = process.arch): string {
  return `electron-${electronVersion}-${platform}-${arch}`;
}

/**
 * The addon file this process must load, or undefined for the package's default (its own
 * build/Release: the Node build). A packaged app ships the same native/electron-<version> folder
 * (electron-builder.yml), so development and packaged apps load their addons the same way.
 */
export function nativeAddonPath(addon: NativeAddon, projectRoot: string | undefined, versions: NodeJS.ProcessVersions = process.versions): string | undefined {
  const electronVersion = versions.electron;
  if (!electronVersion || !projectRoot) return undefined;
  const candidate = path.join(projectRoot, 'native', electronNativeDirName(electronVersion), NATIVE_ADDONS[addon].file);
  return fs.existsSync(candidate) ? candidate : undefined;
}
