/**
 * Run the real `token-station` CLI (bin/token-station.js, which loads the bundle made by
 * scripts/build-cli.js) as a child process. The bundle is rebuilt first whenever a file it was made
 * from is newer than it, so a test never runs yesterday's CLI against today's sources.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'token-station.js');
export const CLI_BUNDLE = path.join(ROOT, 'dist', 'cli', 'token-station.mjs');

/**
 * Why the CLI bundle under `root` cannot be trusted, or null when it is fresh: missing, or older
 * than one of its inputs (dist/cli/inputs.json, written by the build) or than the build script.
 */
export function cliBundleStaleness(root: string): string | null {
  const bundle = path.join(root, 'dist', 'cli', 'token-station.mjs');
  const list = path.join(root, 'dist', 'cli', 'inputs.json');
  if (!fs.existsSync(bundle) || !fs.existsSync(list)) return 'not built';
  const built = fs.statSync(bundle).mtimeMs;
  const inputs = [...(JSON.parse(fs.readFileSync(list, 'utf8')) as string[]), 'scripts/build-cli.js'];
  for (const input of inputs) {
    const file = path.join(root, input);
    if (!fs.existsSync(file)) return `${input} is gone`;
    if (fs.statSync(file).mtimeMs > built) return `${input} changed after the bundle was built`;
  }
  return null;
}

/** Rebuild the bundle if it is stale (once per process; about a second). */
export function ensureCliBundle(): void {
  if (cliBundleStaleness(ROOT) !== null) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.js')], { cwd: ROOT, stdio: 'inherit' });
  const still = cliBundleStaleness(ROOT);
  if (still !== null) throw new Error(`the CLI bundle is still stale after rebuilding: ${still}`);
}

ensureCliBundle();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for the CLI: the test's data dir and API, and nothing inherited that could point elsewhere. */
export function cliEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TOKEN_STATION_API_KEY;
  delete env.TOKEN_STATION_API_URL;
  delete env.TOKEN_STATION_DATA_DIR;
  for (const [key, value] of Object.entries(vars)) if (value !== undefined) env[key] = value;
  return env;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`token-station ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running CLI command whose stdout lines can be awaited one by one. */
export class CliProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private waiters: (() => void)[] = [];

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...args], { env });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiters.forEach((w) => w());
    });
    this.child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** The first stdout line (past or future) that satisfies `match`. */
  async waitForLine(match: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching line in ${timeoutMs} ms; stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  stop(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}
