// How `token-station` is launched: a bundle made at install time (the `prepare` script), never a
// TypeScript compiler at run time; a checkout without the bundle says so; a stale bundle is detected
// (and rebuilt by test/support/cli.ts before any CLI test runs it).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, CLI_BUNDLE, cliBundleStaleness, cliEnv } from '../support/cli';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The bundle's files: the entry and the chunks beside it that each command loads when it runs. */
function bundleFiles(): string[] {
  const chunks = path.join(path.dirname(CLI_BUNDLE), 'chunks');
  return [CLI_BUNDLE, ...fs.readdirSync(chunks).map((name) => path.join(chunks, name))];
}

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
    const bundle = bundleFiles().map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    const imports = [...bundle.matchAll(/^import .* from ["']([^"'.][^"']*)["'];?$|(?:\b|__)require\(["']([^"'.][^"']*)["']\)/gm)].map((m) => m[1] ?? m[2]!);
    const packages = [...new Set(imports.filter((name) => !name.startsWith('node:') && !/^(fs|path|os|util|events|stream|crypto|url|child_process|net|http|https|zlib|readline|tty|worker_threads|perf_hooks|assert|buffer|string_decoder|timers|dns|module|process|electron)(\/|$)/.test(name)))];
    expect(packages.sort()).toEqual(expect.arrayContaining(['better-sqlite3']));
    for (const name of packages) expect(['better-sqlite3', 'nfc-pcsc', '@pokusew/pcsclite', 'node-hid'], name).toContain(name);
    // Loaded with require(): an ESM import of a CommonJS package has Node run its export lexer first (start-up time).
    expect(bundle).not.toMatch(/^import .* from ["'](better-sqlite3|nfc-pcsc|@pokusew\/pcsclite|node-hid)["']/m);
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: token-station <command>/);
  });

  it('loads only the code of the command that runs: --help none of the commands, queue and uid not the whole core', () => {
    const { dir, cleanup } = tempDir();
    try {
      // Node's module hooks see every module file as it is loaded; they run in a thread of their
      // own, so the list goes to a file.
      fs.writeFileSync(
        path.join(dir, 'hooks.mjs'),
        "import fs from 'node:fs';\nexport async function load(url, context, next) {\n  if (url.startsWith('file:')) fs.appendFileSync(process.env.LOAD_LOG, url + '\\n');\n  return next(url, context);\n}\n",
      );
      fs.writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
      fs.mkdirSync(path.join(dir, 'data'));
      const loaded = (args: string[]) => {
        const log = path.join(dir, `${args[0]}.log`);
        const env = { ...cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'data') }), LOAD_LOG: log };
        const run = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, BIN, ...args], { env, encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        const files = fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((url) => url.startsWith('file:'))
          .map((url) => fileURLToPath(url))
          .filter((file) => file.startsWith(path.dirname(CLI_BUNDLE) + path.sep));
        const text = files.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
        // esbuild heads each module it bundles with a comment naming its source file.
        const sources = [...text.matchAll(/^\/\/ ((?:electron|node_modules)\/\S+)$/gm)].map((m) => m[1]!);
        return { stdout: run.stdout, files, bytes: text.length, sources };
      };

      const help = loaded(['--help']);
      expect(help.stdout).toMatch(/^Usage: token-station <command>/);
      expect(help.files).toContain(CLI_BUNDLE);
      expect(help.sources.filter((s) => s.startsWith('node_modules/'))).toEqual([]);
      expect(help.sources.filter((s) => /^electron\/(core\/(station|queue|db|io|sync)|sandbox)/.test(s))).toEqual([]);
      expect(help.bytes).toBeLessThan(64 * 1024);

      const uid = loaded(['uid', '04A1B2C3', '--json']);
      expect(JSON.parse(uid.stdout)).toMatchObject({ ok: true, uid: '04A1B2C3' });
      expect(uid.sources.filter((s) => s.startsWith('node_modules/'))).toEqual([]);

      // The queue needs its database and the queue's rules, not the Station, the sandbox, the
      // import and export formats or the Spirii client.
      const queue = loaded(['queue', '--json']);
      expect(JSON.parse(queue.stdout)).toEqual([]);
      expect(queue.sources).toContain('electron/core/queue/index.ts');
      expect(queue.sources.filter((s) => /^electron\/(core\/(station|io\/(export|import|files)|api\/)|sandbox\/)|^node_modules\/(write-excel-file|fflate|csv-|electron-log)/.test(s))).toEqual([]);
      // Nor zod: the queue checks an edit without it, and only `queue hold` and `queue batch` load
      // the sync settings' schema. zod alone was most of what `queue` loaded, and of its start-up.
      expect(queue.sources.filter((s) => s.startsWith('node_modules/zod/'))).toEqual([]);
      expect(queue.bytes).toBeLessThan(128 * 1024);
    } finally {
      cleanup();
    }
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

      // A bundle copied without its chunks (dist/cli/chunks/) says so too, whichever is missing.
      fs.cpSync(path.dirname(CLI_BUNDLE), path.join(dir, 'dist', 'cli'), { recursive: true });
      const chunks = path.join(dir, 'dist', 'cli', 'chunks');
      for (const name of fs.readdirSync(chunks).filter((name) => name.startsWith('sync-'))) fs.rmSync(path.join(chunks, name));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
      const command = spawnSync(process.execPath, [path.join(dir, 'bin', 'token-station.js'), 'queue'], { encoding: 'utf8', env: cliEnv({ TOKEN_STATION_DATA_DIR: dir }) });
      expect(command.status).toBe(1);
      expect(command.stderr).toMatch(/^token-station queue: the CLI is not built completely \(dist[\\/]cli[\\/]chunks[\\/]sync-\w+\.mjs is missing\); run "npm run build:cli"/);
      fs.rmSync(chunks, { recursive: true });
      const help = spawnSync(process.execPath, [path.join(dir, 'bin', 'token-station.js'), '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(1);
      expect(help.stderr).toMatch(/^token-station: the CLI is not built \(dist[\\/]cli[\\/]chunks[\\/]chunk-\w+\.mjs is missing\); run "npm run build:cli"/);
      expect(help.stdout).toBe('');
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
