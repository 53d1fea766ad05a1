/**
 * Replacing a lost card from the window, in real Chromium against the real core and the sandbox:
 * the old card identified by a tap, "Replace this card…", the new card tapped (the tap router's
 * replace mode: nothing queued), its label typed, confirmed, and the job's progress shown until
 * done; the old token deactivated in Spirii naming the new card. Screenshots at 800×560 and 200%,
 * in English and Danish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, SCREENSHOTS, type App } from '../support/app-harness';
import { axeViolations } from '../support/axe';

const API_KEY = 'replace-window-key';
const OLD = '04A224B2C35D80';
const NEW = '04B335C3D46E91';
const OTHER_OLD = '04C446D4E57FA2';
const OTHER_NEW = '04D557E5F68AB3';
const FJORD_OLD = '04E668F6079BC4';

describe('Cards screen: replace a lost card', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ apiKey: API_KEY, host: '127.0.0.1', rateLimit: false });
    app = await openApp({
      station: { api: { baseUrl: sandbox.url, apiKey: API_KEY }, readers: { simulated: true, pcsc: false } },
      page: { viewport: { width: 800, height: 560 }, colorScheme: 'light', locale: 'en-GB' },
      beforeBridge: async (s) => {
        s.preferences.update({ operatorName: 'Mette Holm', locale: 'en' });
        await s.customers.search('Acme');
        await s.customers.search('Fjordhavn');
        s.enrollment.tap(OLD, 'cli', { label: 'DK.ACME.0001', customerId: 1001 });
        s.enrollment.tap(OTHER_OLD, 'cli', { label: 'DK.ACME.0007', customerId: 1001 });
        s.enrollment.tap(FJORD_OLD, 'cli', { label: 'DK.FJH.0001', customerId: 1003 });
        await s.sync.settle(20_000);
      },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  const inSpirii = (uid: string) => sandbox.tokens().filter((t) => t.identifier.uid === uid);

  it('identifies the old card by a tap, takes the new card by a tap, asks its label, and shows the job until done', async () => {
    await page.goto(`${bridge.url}#/cards`);
    await expect.poll(() => station.taps.mode).toBe('identify');
    station.simulated!.present(OLD);
    await page.locator('[data-testid="card-report"][data-source="live"]').waitFor();
    const before = station.queue.list().length;

    await page.getByTestId('replace-start').click();
    await page.getByTestId('replace-waiting').getByText('Tap the new card on the reader.').waitFor();
    // The prompt is where the clerk looks: focused and scrolled into view, at 800×560 too.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('replace-uid');
    expect(await page.getByTestId('replace-waiting').isVisible()).toBe(true);
    const box = await page.getByTestId('replace-waiting').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(560);
    await expect.poll(() => station.taps.mode).toBe('replace');
    await app.screenshot('replace-waiting-800x560', { fullPage: true });

    // The new card, tapped on the reader: named, nothing queued yet.
    station.simulated!.present(NEW);
    await page.locator('[data-testid="replace-flow"][data-step="confirm"]').waitFor();
    expect(await page.getByTestId('replace-new').textContent()).toBe(`New card: ${NEW}`);
    expect(station.queue.list().length).toBe(before);
    await page.getByLabel('The new card’s label').fill('DK.ACME.0002');
    expect(await page.getByTestId('replace-summary').textContent()).toContain(`Card DK.ACME.0002 (${NEW}) gets the customer and settings`);
    await app.screenshot('replace-confirm-800x560', { fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Replace the card' }).click();
    const job = page.locator('[data-testid="replace-job"]').first();
    await page.locator('[data-testid="replace-job"][data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await job.textContent()).toContain(`Done: card DK.ACME.0002 (${NEW}) replaces card DK.ACME.0001 (${OLD}), which is deactivated.`);
    expect(await job.textContent()).toContain('Mette Holm');
    await expect.poll(() => station.taps.mode).toBe('identify');
    expect(inSpirii(OLD)[0]).toMatchObject({ isActive: false, comment: `Replaced by card DK.ACME.0002 / ${NEW}` });
    expect(inSpirii(NEW)[0]).toMatchObject({ isActive: true, customerId: 1001, identifier: { label: 'DK.ACME.0002' } });
    // The card shown is the old one: it is shown again as Spirii has it now, and can no longer be replaced.
    await page.getByTestId('replace-start').waitFor({ state: 'detached' });
    await app.screenshot('replace-done-800x560', { fullPage: true });
    expect(await watcher.problems()).toEqual([]);
  });

  it('refuses a new card already in the queue, in words, queueing nothing; at 200% and in Danish', async () => {
    const zoomed = await app.browser.newPage({ viewport: { width: 683, height: 384 }, deviceScaleFactor: 2, colorScheme: 'light', locale: 'da-DK' });
    station.preferences.update({ locale: 'da' });
    try {
      await zoomed.goto(`${bridge.url}#/cards`);
      await expect.poll(() => station.taps.mode).toBe('identify');
      station.simulated!.present(OTHER_OLD);
      await zoomed.locator('[data-testid="card-report"][data-source="live"]').waitFor();
      await zoomed.getByTestId('replace-start').click();
      await zoomed.getByTestId('replace-waiting').getByText('Hold det nye kort på læseren.').waitFor();
      await zoomed.screenshot({ path: `${SCREENSHOTS}/replace-waiting-da-200pct.png`, fullPage: true, animations: 'disabled' });
      // The card that replaced the first one is already in the queue: refused as a tap would be.
      station.simulated!.present(NEW);
      await zoomed.locator('[data-testid="replace-flow"][data-step="confirm"]').waitFor();
      const rows = station.queue.list().length;
      await zoomed.getByRole('button', { name: 'Erstat kortet' }).click();
      expect(await zoomed.getByTestId('replace-refused').textContent()).toBe('Det nye kort blev ikke sat i kø: det er allerede i denne skrankes kø.');
      expect(station.queue.list().length).toBe(rows);
      await zoomed.screenshot({ path: `${SCREENSHOTS}/replace-refused-da-200pct.png`, fullPage: true, animations: 'disabled' });

      // Another new card instead: replaced.
      await zoomed.getByRole('button', { name: 'Et andet nyt kort' }).click();
      station.simulated!.present(OTHER_NEW);
      await zoomed.locator('[data-testid="replace-flow"][data-step="confirm"]').waitFor();
      await zoomed.getByRole('button', { name: 'Erstat kortet' }).click();
      await zoomed.locator(`[data-testid="replace-job"][data-state="done"]`).nth(1).waitFor({ timeout: 30_000 });
      expect(await zoomed.locator('[data-testid="replace-job"]').first().textContent()).toContain(`Færdig: kort ${OTHER_NEW} erstatter kort DK.ACME.0007 (${OTHER_OLD}), som er deaktiveret.`);
      await zoomed.screenshot({ path: `${SCREENSHOTS}/replace-done-da-200pct.png`, fullPage: true, animations: 'disabled' });
      expect(await axeViolations(zoomed)).toEqual([]);
      // Leaving the screen, taps enroll again.
      await zoomed.goto(`${bridge.url}#/enroll`);
      await expect.poll(() => station.taps.mode).toBe('enroll');
    } finally {
      station.preferences.update({ locale: 'en' });
      await zoomed.close();
    }
  });

  it("finds the lost card by its customer on the Tokens screen, and replaces it from there", async () => {
    station.preferences.update({ locale: 'en' });
    await page.goto(`${bridge.url}#/tokens`);
    await page.getByRole('combobox', { name: 'Customer' }).fill('Fjordhavn');
    await page.getByRole('option', { name: /Fjordhavn Kommune/ }).click();
    await page.getByLabel('Search').fill(FJORD_OLD);
    await page.locator('[data-row-index="0"]').click();
    const detail = page.getByTestId('token-detail');
    await detail.getByText(FJORD_OLD).waitFor();
    await detail.getByTestId('token-replace').click();
    // On the Cards screen, the card identified as Spirii has it, ready to be replaced.
    await page.waitForURL(/#\/cards$/);
    const report = page.locator('[data-testid="card-report"][data-source="live"]');
    await report.waitFor();
    expect(await report.textContent()).toContain(FJORD_OLD);
    await page.getByTestId('replace-start').click();
    await page.getByTestId('replace-waiting').getByText('Tap the new card on the reader.').waitFor();
    await expect.poll(() => station.taps.mode).toBe('replace');
    await app.screenshot('replace-from-tokens-800x560', { fullPage: true });
    expect(await watcher.problems()).toEqual([]);
  });
});
