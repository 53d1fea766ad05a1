/**
 * The Enroll screen in real Chromium against the real core: built-in sandbox (with latency, so a
 * token is seen queued before it is synced), the WebSocket bridge, the built renderer under its
 * CSP. A desk clerk's first card, end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

const SANDBOX_LATENCY_MS = 700;

describe('Enroll screen', () => {
  /** Console errors, uncaught page errors and CSP violations: the page must produce none. */
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { simulated: true, pcsc: false }, sandbox: { faults: { latencyMs: SANDBOX_LATENCY_MS } } },
      page: { viewport: { width: 1280, height: 860 }, colorScheme: 'light' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it('enrolls a tapped card for the chosen customer and shows it queued, then synced', async () => {
    const response = await page.goto(bridge.url);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    // Sandbox mode is impossible to miss.
    const banner = page.getByTestId('sandbox-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Built-in sandbox: nothing you enroll here reaches Spirii.');
    await page.getByText('Choose a customer to start.').waitFor();

    // Customer: search by part of the name, pick from the list.
    const search = page.getByRole('combobox', { name: 'Customer' });
    await search.fill('fjord');
    const option = page.getByRole('option', { name: /Fjordhavn Kommune/ });
    await option.waitFor();
    await option.click();
    await page.getByTestId('selected-customer').getByText('Fjordhavn Kommune').waitFor();
    await expect.poll(() => station.enrollmentDefaults.value.customerId).toBe(1003);

    // Label prefix: saved when the field is left.
    const prefix = page.getByRole('textbox', { name: 'Label prefix' });
    await prefix.fill('FJH-');
    await prefix.press('Tab');
    await expect.poll(() => page.getByTestId('next-label').textContent()).toBe('FJH-0001');
    expect(station.enrollmentDefaults.value.labelPrefix).toBe('FJH-');

    // Tap: the card is queued at once and shown before the sandbox answers.
    await page.getByRole('button', { name: /Simulate tap/ }).click();
    const lastTap = page.locator('[data-testid="last-tap"][data-status="queued"]');
    await lastTap.waitFor();
    const uid = (await lastTap.getByTestId('last-tap-uid').textContent())?.trim() ?? '';
    expect(uid).toMatch(/^[0-9A-F]{8,20}$/);
    const row = page.locator(`tr[data-uid="${uid}"]`);
    await row.waitFor();
    // State and its words read at the same instant: the row moves on within the sandbox's latency.
    const first = await row.evaluate((tr) => ({ state: tr.querySelector('[data-state]')?.getAttribute('data-state'), pill: tr.querySelector('[data-state]')?.textContent?.trim() }));
    expect(first).toSatisfy(({ state, pill }: typeof first) => (state === 'pending' && pill === 'Queued') || (state === 'sending' && pill === 'Sending'));
    await app.screenshot('enroll-queued');
    expect(await row.locator('td').nth(2).textContent()).toBe('FJH-0001');
    expect(await lastTap.getByTestId('last-tap-label').textContent()).toBe('FJH-0001');
    // The core pushed the moved-on label number: the next card's label is shown without a reload.
    await expect.poll(() => page.getByTestId('next-label').textContent()).toBe('FJH-0002');

    // Then synced, with the id Spirii (the sandbox) gave it.
    await page.locator(`tr[data-uid="${uid}"] [data-state="synced"]`).waitFor({ timeout: 10_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('Synced');
    expect(cells[3]).toContain('Fjordhavn Kommune');
    const spiriiId = Number(cells[4]);
    expect(spiriiId).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/Online.*Up to date/);
    await page.getByTestId('last-tap-progress').getByText(`Created in Spirii as token ${spiriiId}`).waitFor();
    await app.screenshot('enroll-synced');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('enroll-synced-dark');

    // The core agrees: synced in the local queue, and stored in the sandbox as sent.
    const queued = station.queue.findByUid(uid);
    expect(queued).toMatchObject({ state: 'synced', spiriiId, label: 'FJH-0001', customerId: 1003 });
    const stored = station.sandbox!.tokens().filter((token) => token.identifier.uid === uid);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: spiriiId, customerId: 1003, identifier: { type: 'rfid', uid, label: 'FJH-0001' } });

    // Nothing went wrong on the way.
    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
