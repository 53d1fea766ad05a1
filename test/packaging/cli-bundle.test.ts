// How `token-station` is launched: a bundle made at install time (the `prepare` script), never a
// TypeScript compiler at run time; a checkout without the bundle says so; a stale bundle is detected
// (and rebuilt by test/support/cli.ts before any CLI test runs it).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, CLI_BUNDLE, cliBundleStaleness } from '../support/cli';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

describe('the CLI launcher', () => {
  it('is bundled when the project is installed, with the compilers out of the runtime dependencies', () => {
    expect(pkg.bin['token-station']).toBe('bin/token-station.js');
    expect(pkg.scripts.prepare).toBe('node scripts/build-cli.js');
    expect(pkg.scripts.build).toContain('node scripts/build-cli.js');
    for (const compiler of ['tsx', 'esbuild', 'typescript']) expect(Object.keys(pkg.dependencies)).not.toContain(compiler);
    const launcher = fs.readFileSync(BIN, 'utf8');
    expect(launcher).not.toMatch(/\btsx\b|\.ts['"]/);
  });

  it('runs the bundle, which holds no TypeScript loader and needs only the native packages from node_modules', () => {
    const bundle = fs.readFileSync(CLI_BUNDLE, 'utf8');
    const imports = [...bundle.matchAll(/^import .* from ["']([^"'.][^"']*)["'];?$|\brequire\(["']([^"'.][^"']*)["']\)/gm)].map((m) => m[1] ?? m[2]!);
    const packages = [...new Set(imports.filter((name) => !name.startsWith('node:') && !/^(fs|path|os|util|events|stream|crypto|url|child_process|net|http|https|zlib|readline|tty|worker_threads|perf_hooks|assert|buffer|string_decoder|timers|dns|module|process|electron)(\/|$)/.test(name)))];
    expect(packages.sort()).toEqual(expect.arrayContaining(['better-sqlite3']));
    for (const name of packages) expect(['better-sqlite3', 'nfc-pcsc', '@pokusew/pcsclite', 'node-hid'], name).toContain(name);
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: token-station <command>/);
  });

  it('says how to build it when the bundle is missing, instead of running anything else', () => {
    const { dir, cleanup } = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.copyFileSync(BIN, path.join(dir, 'bin', 'token-station.js'));
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
      const run = spawnSync(process.execPath, [path.join(dir, 'bin', 'token-station.js'), 'queue'], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('the CLI is not built');
      expect(run.stderr).toContain('npm run build:cli');
      expect(run.stdout).toBe('');
    } finally {
      cleanup();
    }
  });

  it('a bundle older than one of its sources is stale', () => {
    const { dir, cleanup } = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'dist', 'cli'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'electron', 'cli'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'scripts'));
      expect(cliBundleStaleness(dir)).toBe('not built');
      const past = new Date(Date.now() - 60_000);
      for (const file of ['electron/cli/main.ts', 'scripts/build-cli.js']) {
        fs.writeFileSync(path.join(dir, file), '');
        fs.utimesSync(path.join(dir, file), past, past);
      }
      fs.writeFileSync(path.join(dir, 'dist', 'cli', 'inputs.json'), JSON.stringify(['electron/cli/main.ts']));
      fs.writeFileSync(path.join(dir, 'dist', 'cli', 'token-station.mjs'), '');
      expect(cliBundleStaleness(dir)).toBeNull();
      fs.utimesSync(path.join(dir, 'electron/cli/main.ts'), new Date(), new Date(Date.now() + 1000));
      expect(cliBundleStaleness(dir)).toBe('electron/cli/main.ts changed after the bundle was built');
      fs.rmSync(path.join(dir, 'electron/cli/main.ts'));
      expect(cliBundleStaleness(dir)).toBe('electron/cli/main.ts is gone');
      // The repository's own bundle is fresh once the support module has loaded.
      expect(cliBundleStaleness(root)).toBeNull();
    } finally {
      cleanup();
    }
  });
});
