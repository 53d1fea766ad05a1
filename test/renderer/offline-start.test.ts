/**
 * A fresh install with no network, in real Chromium against the real core: no customer is
 * remembered, so the clerk types the customer number and enrolls it unverified; when Spirii comes
 * back (a sandbox on the same loopback port), the worker asks it for that customer before sending,
 * and a number it does not know is refused with nothing sent. The header says "Up to date" only
 * while Spirii's last answer is recent, and when it was last reached after that (the page's clock
 * is moved on; the core's stays real).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { closedPort } from '../support/net';
import { uidOf } from '../support/tokens';

const API_KEY = 'offline-key';
const SHOTS = process.env.SCREENSHOT_DIR;

describe('offline first start', () => {
  let app: App, station: Station, bridge: Bridge, page: Page;
  let port: number;
  let sandbox: Sandbox | null = null;
  const header = () => page.getByTestId('sync-status');

  beforeAll(async () => {
    port = await closedPort();
    app = await openApp({
      station: {
        api: { baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY },
        readers: { simulated: true, pcsc: false },
        sync: { timeoutMs: 2000, backoff: { baseMs: 200, capMs: 1000 } },
      },
      beforeBridge: (s) => s.syncSettings.update({ holdMinutes: 0 }),
      page: { viewport: { width: 800, height: 560 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page } = app);
    page.setDefaultTimeout(10_000);
    // The page's clock runs on from now; the test moves it past "recently" later.
    await page.clock.install();
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('enrolls a typed customer number unverified, and Spirii not knowing it refuses the card with nothing sent', async () => {
    await page.goto(bridge.url);
    await expect.poll(async () => (await header().textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/not reached/);

    const search = page.getByRole('combobox', { name: 'Customer' });
    await search.fill('4242');
    const typed = page.getByTestId('customer-typed');
    await typed.waitFor();
    expect(await typed.textContent()).toContain('Use customer number 4242 (not verified)');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'offline-typed-number-800x560.png'), fullPage: false });
    await search.press('ArrowDown');
    await search.press('Enter');
    await page.getByTestId('selected-customer').getByText('Customer #4242').waitFor();
    await page.getByTestId('customer-unverified').getByText('Not verified').waitFor();
    await expect.poll(() => station.enrollmentDefaults.value).toMatchObject({ customerId: 4242, customerUnverified: true });
    expect(station.customers.unverified()).toEqual(new Set([4242]));

    station.simulated!.present(uidOf(0x4242));
    await expect.poll(() => page.getByTestId('last-tap').getAttribute('data-status')).toBe('queued');
    await page.getByTestId('last-tap').getByText('Customer #4242 · not verified').waitFor();
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'offline-unverified-800x560.png'), fullPage: false });
    expect(station.queue.findByUid(uidOf(0x4242))?.state).not.toBe('synced');

    // Spirii is back, and has no customer 4242: the card is refused before anything is sent.
    sandbox = await startSandbox({ port, apiKey: API_KEY, host: '127.0.0.1' });
    station.sync.retryNow();
    const entry = page.locator(`[data-testid="outcome"][data-kind="refused-by-spirii"][data-uid="${uidOf(0x4242)}"]`);
    await entry.waitFor({ timeout: 15_000 });
    expect(station.queue.findByUid(uidOf(0x4242))).toMatchObject({ state: 'rejected', lastErrorDetail: { key: 'unknown-customer', params: { customerId: 4242 } } });
    expect(await entry.textContent()).toContain('Spirii has no customer 4242: choose the right customer and enroll the card again');
    expect(sandbox.tokens()).toHaveLength(0);
    expect(sandbox.stats.writeRequests).toBe(0);

    // Spirii just answered: up to date, and online.
    await expect.poll(async () => (await header().textContent())?.replace(/\s+/g, ' ').trim(), { timeout: 10_000 }).toMatch(/^Online · Up to date/);
    const reachedAt = station.sync.status.lastReachedAt!;
    expect(Date.now() - reachedAt).toBeLessThan(60_000);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'offline-refused-800x560.png'), fullPage: false });

    // Three minutes on (the page's clock), with nothing asked of Spirii since: the header says when it was last reached.
    await page.clock.fastForward('03:00');
    const time = await page.evaluate((at) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }).format(at), reachedAt);
    await expect.poll(async () => (await header().textContent())?.replace(/\s+/g, ' ').trim()).toBe(`Nothing to send · Spirii last reached at ${time}`);

    // The same in Danish: the header, the refusal and the unverified mark.
    station.preferences.update({ locale: 'da' });
    const tid = await page.evaluate((at) => new Intl.DateTimeFormat('da-DK', { hour: '2-digit', minute: '2-digit' }).format(at), reachedAt);
    await expect.poll(async () => (await header().textContent())?.replace(/\s+/g, ' ').trim()).toBe(`Intet at sende · Spirii sidst nået kl. ${tid}`);
    await expect.poll(() => entry.textContent()).toContain('Spirii har ingen kunde 4242: vælg den rigtige kunde, og tilmeld kortet igen');
    await page.getByTestId('customer-unverified').getByText('Ikke bekræftet').waitFor();
  });
});
