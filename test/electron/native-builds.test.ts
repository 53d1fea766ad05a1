// Two runtimes, one checkout: scripts/prepare-electron.js builds a second copy of each native addon
// into native/<runtime>-<version>-<os>-<arch>/ and the app loads that copy when it runs in Electron.
// Electron's headers cannot be downloaded here, so the real build below targets Node's ABI with
// the same script and the same steps; the Electron build's settings are checked by its dry run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronNativeDirName, NATIVE_ADDONS } from '../../electron/core/native';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'scripts', 'prepare-electron.js');
const electronVersion = createRequire(path.join(root, 'package.json'))('electron/package.json').version as string;

function prepare(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [script, ...args], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
}

describe('the Electron build', () => {
  it('targets Electron headers, never a nodedir, and lands where the app looks', () => {
    const plan = JSON.parse(prepare(['--dry-run'], { ...process.env, npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr' }));
    expect(plan.nodedir).toBeNull();
    expect(plan.args).toEqual(
      expect.arrayContaining([`--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers']),
    );
    expect(plan.args.some((a: string) => a.startsWith('--nodedir'))).toBe(false);
    expect(plan.outDir).toBe(path.join(root, 'native', electronNativeDirName(electronVersion)));
    // The script (plain JS) keeps its own list of addons: it must be the one the app loads from.
    expect(plan.plan.map((p: { packageName: string; output: string }) => ({ packageName: p.packageName, file: path.basename(p.output) }))).toEqual(
      Object.values(NATIVE_ADDONS),
    );
    expect(Object.values(NATIVE_ADDONS).map((a) => a.file)).toEqual(['better_sqlite3.node', 'pcsclite.node']);
  });
});

describe('a second build beside the first', () => {
  const fakeElectron = '0.0.0-test';
  let projectRoot: { dir: string; cleanup: () => void };
  let data: { dir: string; cleanup: () => void };
  const defaultBuild = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  let before: fs.Stats;

  beforeAll(() => {
    projectRoot = tempDir('ts-root-');
    data = tempDir('ts-data-');
    before = fs.statSync(defaultBuild);
    const nodedir = process.env.npm_config_nodedir ?? process.env.NPM_CONFIG_NODEDIR;
    if (!nodedir) throw new Error('npm_config_nodedir is not set: run the tests through npm (npm test) on a machine with Node headers');
    // Built for Node's ABI (the only headers here), into the folder the app would use for Electron `fakeElectron`.
    prepare(['--runtime', 'node', '--out', path.join(projectRoot.dir, 'native', electronNativeDirName(fakeElectron))]);
  }, 600_000);
  afterAll(() => {
    projectRoot.cleanup();
    data.cleanup();
  });

  it('leaves the Node build in node_modules untouched', () => {
    const after = fs.statSync(defaultBuild);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('is what the app loads in Electron, and both addons work from there', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'load-native.ts'), projectRoot.dir, fakeElectron, data.dir], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(out.trim().split('\n').at(-1)!);
    const dir = path.join(projectRoot.dir, 'native', electronNativeDirName(fakeElectron));
    expect(report.sqlite).toBe(path.join(dir, 'better_sqlite3.node'));
    expect(report.pcsc).toBe(path.join(dir, 'pcsclite.node'));
    // pcsclite's own loader asks for build/Release/pcsclite.node; the redirect loads the second build.
    expect(report.loaded).toEqual([path.join(dir, 'better_sqlite3.node'), path.join(dir, 'pcsclite.node')]);
    expect(report.sqliteVersion).toMatch(/^3\./);
    expect(report.readers).toContain('Virtual PCD 00 00');
    // Outside Electron the package's own build is used.
    expect(report.noElectron).toBeNull();
  });
});
