// The installers' configuration, checked offline (packaging itself downloads Electron): loaded and
// validated by electron-builder's own code and schema; the files the app needs are included, the
// native modules unpacked from the asar, the fuses set, the deb's dependencies and udev rules in
// place, and signing ready for certificates that come from the environment only.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { minimatch } from 'minimatch';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';

const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

async function load(file: string): Promise<Configuration> {
  const config = await getConfig(root, file, null);
  await validateConfiguration(config, new DebugLogger(false)); // throws on anything the schema refuses
  return config;
}

/** Whether electron-builder's `files` list (globs, with "!" exclusions, in order) takes a path. */
function included(patterns: readonly string[], file: string): boolean {
  let taken = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (minimatch(file, pattern.slice(1), { dot: true })) taken = false;
    } else if (minimatch(file, pattern, { dot: true })) taken = true;
  }
  return taken;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The production dependency tree (what electron-builder copies into the app): names and folders. */
function productionPackages(): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, from: string) => {
    if (found.has(name)) return;
    let manifest: string;
    try {
      manifest = createRequire(path.join(from, 'package.json')).resolve(`${name}/package.json`);
    } catch {
      return; // optional dependency not installed here
    }
    const dir = path.dirname(manifest);
    found.set(name, dir);
    const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) visit(dep, dir);
  };
  for (const name of Object.keys(pkg.dependencies)) visit(name, root);
  return found;
}

describe('electron-builder.yml', () => {
  let config: Configuration;
  let files: string[];
  beforeAll(async () => {
    for (const bundle of ['dist/main/index.cjs', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
      if (!fs.existsSync(path.join(root, bundle))) throw new Error(`${bundle} is missing: run "npm run build" first`);
    }
    config = await load('electron-builder.yml');
    // getConfig normalises `files` to [{ filter: [...] }].
    files = (config.files as ({ filter: string[] } | string)[]).flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.filter));
  });

  it('is valid for electron-builder, with installers for every desk OS', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
  });

  it('includes every file the app loads, and no sources, source maps or tests', () => {
    const needed = ['package.json', pkg.main, 'dist/preload/index.cjs', ...walk(path.join(root, 'dist', 'renderer')).map((f) => path.relative(root, f))];
    expect(needed).toContain('dist/renderer/index.html');
    for (const file of needed.filter((f) => !f.endsWith('.map'))) expect(included(files, file), file).toBe(true);
    for (const file of ['dist/main/index.cjs.map', 'electron/main/index.ts', 'test/electron/fake-electron.ts', 'release/x.AppImage', '.env', 'electron-builder.yml', 'node_modules/.bin/x']) {
      expect(included(files, file), file).toBe(false);
    }
    expect(included(files, 'native/electron-45.4.1-linux-x64/better_sqlite3.node')).toBe(true);
  });

  it('ships every package the main bundle requires at run time as a production dependency', () => {
    const bundle = fs.readFileSync(path.join(root, pkg.main), 'utf8');
    // require("x"); requireN("x") where the core loads a package through a named createRequire; and
    // createRequire(...)("x") called at once (esbuild keeps both forms).
    const required = [...bundle.matchAll(/(?:require\d*|createRequire\)\([^()]*\))\(["']([^"'./][^"']*)["']\)/g)].map((m) => m[1]!);
    const bare = [...new Set(required.map((r) => (r.startsWith('@') ? r.split('/').slice(0, 2).join('/') : r.split('/')[0]!)))].filter(
      (name) => !name.startsWith('node:') && !builtinModules.includes(name) && name !== 'electron',
    );
    expect(bare).toEqual(expect.arrayContaining(['better-sqlite3', 'nfc-pcsc', 'node-hid']));
    const production = productionPackages();
    for (const name of bare) expect(production.has(name), `${name} must be in "dependencies"`).toBe(true);
    expect(Object.keys(pkg.dependencies)).not.toContain('electron');
  });

  it('unpacks every native module from the asar (the Electron builds and those in node_modules)', () => {
    expect(config.asar).toBe(true);
    const unpack = config.asarUnpack as string[];
    const natives = [...productionPackages().values()].flatMap((dir) => walk(dir).filter((f) => f.endsWith('.node'))).map((f) => path.relative(root, f));
    expect(natives.some((f) => f.includes('better_sqlite3.node'))).toBe(true);
    expect(natives.some((f) => f.includes('pcsclite.node'))).toBe(true);
    for (const file of [...natives, 'native/electron-45.4.1-win32-x64/pcsclite.node', 'native/electron-45.4.1-darwin-arm64/better_sqlite3.node']) {
      expect(unpack.some((pattern) => minimatch(file, pattern, { dot: true })), file).toBe(true);
    }
    // electron-builder must not rebuild them in place (that would break the Node builds the CLI uses).
    expect(config).toMatchObject({ npmRebuild: false, nodeGypRebuild: false });
  });

  it('sets the fuses: no run-as-node, NODE_OPTIONS or inspect; asar integrity, asar only, cookie encryption', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // The package electron-builder flips them with is installed.
    expect(fs.existsSync(path.join(root, 'node_modules', '@electron', 'fuses', 'package.json'))).toBe(true);
  });

  it('the end-to-end test build differs only in allowing the inspector, under another name and folder', async () => {
    const e2e = await load('electron-builder.e2e.yml');
    expect(e2e.electronFuses).toEqual({ ...config.electronFuses, enableNodeCliInspectArguments: true });
    expect(e2e.appId).not.toBe(config.appId);
    expect(e2e.productName).toMatch(/E2E/);
    expect(e2e.directories?.output).not.toBe(config.directories?.output);
    expect({ ...e2e, electronFuses: undefined, appId: undefined, productName: undefined, directories: undefined, extends: undefined }).toEqual({
      ...config,
      electronFuses: undefined,
      appId: undefined,
      productName: undefined,
      directories: undefined,
      extends: undefined,
    });
  });

  it('the deb depends on pcscd and installs (and removes) udev rules for HID readers', () => {
    expect(config.deb?.depends).toEqual(expect.arrayContaining(['pcscd', 'libpcsclite1', 'udev']));
    const resource = (config.linux?.extraResources as { from: string; to: string }[])[0]!;
    expect(fs.existsSync(path.join(root, resource.from))).toBe(true);
    const install = fs.readFileSync(path.join(root, config.deb!.afterInstall!), 'utf8');
    const remove = fs.readFileSync(path.join(root, config.deb!.afterRemove!), 'utf8');
    for (const script of [config.deb!.afterInstall!, config.deb!.afterRemove!]) execFileSync('bash', ['-n', path.join(root, script)]);
    // From the packaged resources folder (electron-builder fills in ${sanitizedProductName}) to udev's folder.
    expect(install).toContain(`'/opt/\${sanitizedProductName}/resources/${resource.to}'`);
    expect(install).toMatch(/install -m 0644 "\$RULES_SOURCE" "\$RULES_TARGET"/);
    expect(install).toMatch(/RULES_TARGET='\/usr\/lib\/udev\/rules\.d\/70-token-station-readers\.rules'/);
    expect(install).toMatch(/udevadm control --reload-rules/);
    expect(remove).toContain("rm -f '/usr/lib/udev/rules.d/70-token-station-readers.rules'");
    // electron-builder's own post-install steps are kept: the command link, chrome-sandbox, AppArmor.
    expect(install).toContain("update-alternatives --install '/usr/bin/${executable}'");
    expect(install).toContain('chrome-sandbox');
    expect(install).toContain('apparmor_parser');
  });

  it('the udev rules give the seat user access to hidraw nodes of reader vendors only', () => {
    const rules = fs.readFileSync(path.join(root, 'build/linux/70-token-station-readers.rules'), 'utf8');
    const lines = rules.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      expect(line).toMatch(/^SUBSYSTEM=="hidraw", ATTRS\{idVendor\}=="[0-9a-f]{4}", MODE="0660", GROUP="plugdev", TAG\+="uaccess"$/);
    }
    expect(rules).not.toMatch(/MODE="0666"|MODE="0777"/);
  });

  it('is ready for code signing with certificates from the environment, and holds no secret', () => {
    expect(config.mac).toMatchObject({ hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist' });
    const entitlements = fs.readFileSync(path.join(root, 'build/entitlements.mac.plist'), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
    expect(entitlements).not.toMatch(/disable-library-validation|allow-dyld-environment-variables/);
    expect(config.win?.signtoolOptions).toMatchObject({ signingHashAlgorithms: ['sha256'], rfc3161TimeStampServer: expect.stringMatching(/^http/) });
    const text = ['electron-builder.yml', 'electron-builder.e2e.yml'].map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    expect(text).toMatch(/CSC_LINK/); // documented, read from the environment by electron-builder
    const json = JSON.stringify(config);
    expect(json).not.toMatch(/cscLink|cscKeyPassword|certificatePassword|certificateFile|appleIdPassword/i);
  });
});
