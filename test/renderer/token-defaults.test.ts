/**
 * The session's token settings while a save is on its way: in real Chromium against the real core,
 * with the bridge holding back the core's answer to `enrollment.update` (as a busy main process
 * would), a refusal under a field goes the moment a valid value is typed, not when the answer comes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

const ANSWER_DELAY_MS = 1_500;

describe('token settings while a save is on its way', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { simulated: true, pcsc: false }, sync: { autoStart: false } },
      beforeBridge: (s) => s.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS' }),
      bridge: { answerDelayMs: { 'enrollment.update': ANSWER_DELAY_MS } },
      page: { viewport: { width: 1280, height: 860 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it('clears "must be after valid from" as soon as a later expiry is typed, before the core answers', async () => {
    await page.goto(bridge.url);
    await page.getByTestId('selected-customer').getByText('Acme Fleet ApS').waitFor();
    await page.getByTestId('token-defaults').locator('summary').click();
    const validFrom = page.getByLabel('Valid from');
    const expires = page.getByLabel('Expires at');
    const error = page.getByTestId('expires-error');

    await validFrom.fill('2031-06-01T08:00');
    await validFrom.press('Tab');
    await expect.poll(() => station.enrollmentDefaults.value.validFrom, { timeout: 5_000 }).toBe(new Date('2031-06-01T08:00').toISOString());
    await expires.fill('2031-05-01T08:00');
    await expires.press('Tab');
    await expect.poll(() => error.textContent()).toContain('must be after “valid from”');

    await expires.fill('2032-05-31T23:59');
    await expires.press('Tab');
    // The core has the new expiry; its answer is still held back, and the refusal is already gone.
    await expect.poll(() => station.enrollmentDefaults.value.expiresAt).toBe(new Date('2032-05-31T23:59').toISOString());
    expect(await error.count()).toBe(0);
    expect(await expires.getAttribute('aria-invalid')).not.toBe('true');
    await page.getByTestId('defaults-summary').getByText(/until/).waitFor({ timeout: 5_000 });
    expect(await watcher.problems()).toEqual([]);
  });
});
