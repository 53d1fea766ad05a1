/**
 * Settings, General section, in real Chromium against the real core: the operator's name is
 * saved (and shown in the header), sound can be switched off, and choosing Danish turns the
 * whole window Danish at once and stays chosen after a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

describe('Settings: General', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({ page: { viewport: { width: 1280, height: 820 }, colorScheme: 'light', locale: 'en-GB' } });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it('saves the operator name and the sound choice', async () => {
    await page.goto(bridge.url + '#/settings');
    const section = page.getByTestId('settings-general');
    await section.getByRole('heading', { name: 'General' }).waitFor();
    await section.getByLabel('Operator name').fill('  Mette Jensen ');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('Saved.').waitFor();
    expect(station.preferences.value.operatorName).toBe('Mette Jensen');
    expect(station.settings.get('preferences', {})).toMatchObject({ operatorName: 'Mette Jensen' });
    await expect.poll(() => page.getByTestId('operator').textContent()).toContain('Mette Jensen');

    await section.getByLabel('Play a tone after each tap').uncheck();
    await expect.poll(() => station.preferences.value.sound).toBe(false);
    // The window hears back from the station after it saved: wait for that, not for a fixed moment.
    await expect.poll(() => section.getByRole('button', { name: 'Play test tone' }).isDisabled()).toBe(true);
    await app.screenshot('settings-general');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('settings-general-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('switches the whole window to Danish, and keeps it after a reload', async () => {
    // The browser says en-GB: the default follows it.
    const language = page.getByLabel('Language');
    expect(await language.inputValue()).toBe('');
    expect(await page.getByRole('option', { name: 'Follow the system (English)' }).count()).toBe(1);

    await language.selectOption('da');
    await page.getByRole('heading', { name: 'Generelt' }).waitFor();
    await expect.poll(() => station.preferences.value.locale).toBe('da');
    // Everything, not just this screen: the navigation, the banner, the header.
    expect(await page.getByRole('navigation', { name: 'Skærme' }).textContent()).toMatch(/Tilmeld.*Session.*Tokens.*Indstillinger/);
    expect(await page.getByTestId('sandbox-banner').textContent()).toContain('Indbygget sandkasse');
    expect(await page.getByTestId('counts').textContent()).toContain('i kø');
    expect(await page.getByTestId('readers').textContent()).toContain('Simuleret læser');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('da');
    await app.screenshot('settings-danish');

    await page.reload();
    await page.getByRole('heading', { name: 'Generelt' }).waitFor();
    await page.keyboard.press('Alt+1');
    await page.getByText('Vælg en kunde for at begynde.').waitFor();
    await app.screenshot('enroll-danish');

    // Back to following the system.
    await page.keyboard.press('Alt+8');
    await page.getByLabel('Sprog').selectOption('');
    await page.getByRole('heading', { name: 'General' }).waitFor();
    expect(station.preferences.value.locale).toBeNull();

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
  it('sets the hold period and the batch size in the Sync section, refusing values out of range', async () => {
    await page.goto(bridge.url + '#/settings');
    const sync = page.getByTestId('settings-sync');
    await sync.getByRole('heading', { name: 'Sync' }).waitFor();
    const hold = sync.getByLabel('Hold period (minutes)');
    const batch = sync.getByLabel('Batch size (tokens per request)');
    expect(await hold.inputValue()).toBe('0');
    expect(await batch.inputValue()).toBe('100');
    const save = sync.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true);

    await hold.fill('1441');
    await batch.fill('0');
    await sync.getByText('Enter whole minutes from 0 (off) to 1440 (24 hours).').waitFor();
    await sync.getByText('Enter a whole number of tokens from 1 to 500.').waitFor();
    expect(await hold.getAttribute('aria-invalid')).toBe('true');
    expect(await save.isDisabled()).toBe(true);
    await app.screenshot('settings-sync-invalid', { fullPage: true });
    await hold.fill('2.5');
    await sync.getByText('Enter whole minutes from 0 (off) to 1440 (24 hours).').waitFor();
    expect(station.syncSettings.value).toEqual({ holdMinutes: 0, batchSize: 100 });

    await hold.fill('15');
    await batch.fill('250');
    expect(await sync.locator('.field-error').count()).toBe(0);
    await save.click();
    await sync.getByText('Saved.').waitFor();
    expect(station.syncSettings.value).toEqual({ holdMinutes: 15, batchSize: 250 });
    await page.reload();
    await sync.getByRole('heading', { name: 'Sync' }).waitFor();
    await expect.poll(() => sync.getByLabel('Hold period (minutes)').inputValue()).toBe('15');
    await expect.poll(() => sync.getByLabel('Batch size (tokens per request)').inputValue()).toBe('250');

    // Danish.
    await page.getByLabel('Language').selectOption('da');
    await sync.getByRole('heading', { name: 'Synkronisering' }).waitFor();
    await sync.getByLabel('Batchstørrelse (tokens pr. forespørgsel)').fill('600');
    await sync.getByText('Angiv et helt antal tokens fra 1 til 500.').waitFor();
    await sync.scrollIntoViewIfNeeded();
    await app.screenshot('settings-sync-danish');
    await page.getByLabel('Sprog').selectOption('');
    await sync.getByRole('heading', { name: 'Sync' }).waitFor();
    station.syncSettings.update({ holdMinutes: 0, batchSize: 100 });

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it("the sandbox banner's Connect to Spirii… opens Settings › Connection", async () => {
    station.preferences.update({ locale: 'en' });
    await page.goto(bridge.url + '#/tokens');
    await page.getByTestId('sandbox-banner').getByRole('button', { name: 'Connect to Spirii…' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/settings');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('connection-title');
  });
});
