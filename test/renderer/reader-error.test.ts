// A PC/SC failure at start-up (here: its addon file is missing) is shown to the desk when the
// window opens, in real Chromium against the real core.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Station } from '../../electron/core/station';
import { startBridge, type Bridge } from '../support/bridge';
import { launchChromium, watchForProblems } from '../support/browser';
import { tempDir } from '../support/temp';

describe('a reader error', () => {
  let data: ReturnType<typeof tempDir>;
  let station: Station;
  let bridge: Bridge;
  let browser: Browser;

  beforeAll(async () => {
    data = tempDir();
    station = await Station.create({ dataDir: data.dir, readers: { pcsc: true, simulated: true }, native: { pcsc: '/nonexistent/pcsclite.node' } });
    bridge = await startBridge(station, { version: '0.1.0-test', dataDir: data.dir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
    await station?.close();
    data?.cleanup();
  });

  it('that happened before the window opened is shown as an alert, and the simulated reader still works', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 600 } });
    const watcher = await watchForProblems(page);
    await page.goto(bridge.url);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/PC\/SC is not available: .*Install the smart-card service \(pcscd on Linux\)/);
    expect(await page.getByText('Simulated reader').count()).toBeGreaterThan(0);
    mkdirSync(path.resolve('test-results/screenshots'), { recursive: true });
    await page.screenshot({ path: path.resolve('test-results/screenshots/reader-error.png') });
    expect(await watcher.problems()).toEqual([]);
  });
});
