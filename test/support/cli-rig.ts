/**
 * The CLI tests' shared setup: one `token-station sandbox` process for the whole file, or one per
 * test (its URL is the first line it prints; it must stop with exit code 0), and for each test a
 * fresh data folder with an environment that points the CLI at that folder, that sandbox and its key.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { CliProcess, cliEnv } from './cli';
import { tempDir } from './temp';

export interface CliRigOptions {
  /** The temp folder's name prefix (default tempDir's). */
  tempPrefix?: string;
  /** The CLI's data folder inside the temp folder (default: the temp folder itself). */
  dataSubdir?: string;
  /** A sandbox of its own for each test, holding no token at the start (default: one per file). */
  sandboxPerTest?: boolean;
}

/** Read in a test or a hook: `dir` and `env` are the current test's. */
export interface CliRig {
  readonly sandboxUrl: string;
  /** The current test's temp folder (removed after it). */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Stops the sandbox now (it must exit 0), so the rest of the test finds Spirii gone. */
  stopSandbox(): Promise<void>;
}

/** Registers the hooks; call at the top of a test file. */
export function useCliRig(key: string, options: CliRigOptions = {}): CliRig {
  let sandbox: CliProcess | undefined;
  let sandboxUrl = '';
  let current: { dir: string; cleanup: () => void; env: NodeJS.ProcessEnv } | undefined;
  const now = () => {
    if (!current) throw new Error('the CLI rig has a data folder only inside a test');
    return current;
  };

  const startSandbox = async () => {
    sandbox = new CliProcess(['sandbox', '--port', '0', '--api-key', key], cliEnv({}));
    sandboxUrl = await sandbox.waitForLine(() => true);
  };
  const stopSandbox = async () => {
    const running = sandbox;
    sandbox = undefined;
    if (running) expect(await running.stop()).toBe(0);
  };
  if (options.sandboxPerTest) {
    beforeEach(startSandbox);
    afterEach(stopSandbox);
  } else {
    beforeAll(startSandbox);
    afterAll(stopSandbox);
  }
  beforeEach(() => {
    const { dir, cleanup } = tempDir(options.tempPrefix);
    const dataDir = options.dataSubdir ? path.join(dir, options.dataSubdir) : dir;
    current = { dir, cleanup, env: cliEnv({ TOKEN_STATION_DATA_DIR: dataDir, TOKEN_STATION_API_URL: sandboxUrl, TOKEN_STATION_API_KEY: key }) };
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });

  return {
    get sandboxUrl() {
      return sandboxUrl;
    },
    get dir() {
      return now().dir;
    },
    get env() {
      return now().env;
    },
    stopSandbox,
  };
}
