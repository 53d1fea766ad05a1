/**
 * A short smoke test of the REAL packaged app, for hosted CI machines that can download Electron
 * (.github/workflows/desk.yml); it cannot run on the machines this project is developed on. It
 * launches the end-to-end build (electron-builder.e2e.yml: the production configuration with the
 * inspector allowed, which Playwright attaches through) with Playwright's `_electron.launch`, and
 * checks that the window opens on the built-in sandbox, a simulated tap is queued and then synced,
 * and no console error or page error happened on the way.
 *   npx tsx test/packaging/electron-smoke.ts [EXECUTABLE]
 * Without EXECUTABLE it looks in release-e2e/ for this OS's unpacked app.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..', '..');

function packedExecutable(): string {
  const out = path.join(root, 'release-e2e');
  const candidates =
    process.platform === 'win32'
      ? [path.join(out, 'win-unpacked', 'Token Station E2E.exe')]
      : process.platform === 'darwin'
        ? ['mac-arm64', 'mac', 'mac-universal'].map((dir) => path.join(out, dir, 'Token Station E2E.app', 'Contents', 'MacOS', 'Token Station E2E'))
        : [path.join(out, 'linux-unpacked', 'token-station')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`no packed end-to-end app in ${out}; build it with: npx electron-builder --config electron-builder.e2e.yml --dir`);
  return found;
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
type Station = { call: (name: string, input: unknown) => Promise<Answer<unknown>> };

const executablePath = process.argv[2] ?? packedExecutable();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-station-smoke-'));
const problems: string[] = [];
const env = { ...process.env, TOKEN_STATION_DATA_DIR: dataDir, TOKEN_STATION_API_KEY: '', TOKEN_STATION_API_URL: '' } as Record<string, string>;
const app = await electron.launch({ executablePath, env, timeout: 60_000 });
try {
  const page = await app.firstWindow();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.waitForFunction(() => 'station' in window, undefined, { timeout: 30_000 });
  const call = <T>(name: string, input: unknown) =>
    page.evaluate(([n, i]) => (window as unknown as { station: Station }).station.call(n as string, i), [name, input] as const) as Promise<Answer<T>>;

  const info = await call<{ mode: string }>('app.info', {});
  if (!info.ok || info.value.mode !== 'sandbox') problems.push(`not on the built-in sandbox: ${JSON.stringify(info)}`);
  await call('enrollment.update', { customerId: 1001 });
  const tap = await call<{ status: string }>('readers.simulateTap', { uid: '04A224B2C35D80' });
  if (!tap.ok || tap.value.status !== 'queued') problems.push(`the simulated tap was not queued: ${JSON.stringify(tap)}`);
  let state = '';
  for (let i = 0; i < 100 && state !== 'synced'; i++) {
    const rows = await call<{ uid: string; state: string }[]>('queue.list', { limit: 5 });
    state = rows.ok ? (rows.value.find((row) => row.uid === '04A224B2C35D80')?.state ?? '') : '';
    if (state !== 'synced') await page.waitForTimeout(300);
  }
  if (state !== 'synced') problems.push(`the token did not sync (state: ${state || 'missing'})`);
  await page.screenshot({ path: path.join(root, 'test-results', `smoke-${process.platform}.png`) });
} finally {
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`smoke test passed: ${executablePath}`);
