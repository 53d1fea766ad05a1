/**
 * Settings, Activity and Readers as desk staff read them, in real Chromium against the real core:
 * the Reader section is inset like the other Settings sections, Activity words its values (no
 * "null", no "simulated:Simulated reader", booleans as yes/no) in English and Danish, and the
 * Readers screen keeps OS commands behind a closed "For IT" disclosure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

describe('Settings, Activity and Readers for people', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      // PC/SC pointed at a missing addon, so that the Readers screen has an error with what to do.
      station: { readers: { pcsc: true, simulated: true }, native: { pcsc: '/nonexistent/pcsclite.node' }, sync: { autoStart: false } },
      page: { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
  });
  afterAll(() => app?.close());

  const setLocale = async (locale: 'da' | null) => {
    station.preferences.update({ locale });
    await page.reload();
  };

  it('insets the Reader section as the other Settings sections are', async () => {
    await page.goto(bridge.url + '#/settings');
    const reader = page.locator('section[aria-labelledby="reader-settings-title"]');
    await reader.getByRole('heading', { name: 'Reader' }).waitFor();
    const inset = (selector: string) =>
      page.locator(selector).evaluate((section) => {
        const box = section.getBoundingClientRect();
        const heading = section.querySelector('h2')!.getBoundingClientRect();
        return { left: Math.round(heading.left - box.left), top: Math.round(heading.top - box.top) };
      });
    const sync = await inset('[data-testid="settings-sync"]');
    expect(sync.left).toBeGreaterThanOrEqual(16);
    expect(await inset('section[aria-labelledby="reader-settings-title"]')).toEqual(sync);
    await reader.scrollIntoViewIfNeeded();
    await app.screenshot('settings-reader-1366');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('settings-reader-1366-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('words the values of the Activity screen, in English and in Danish', async () => {
    station.audit.record('enroll', { tokenId: 1, label: 'ACME-1', customerId: 1001, comment: null, source: 'simulated:Simulated reader' }, '04A1B2C3D4E5F6');
    station.audit.record('enroll', { tokenId: 2, label: 'ACME-2', customerId: 1001, comment: 'spare', source: 'pcsc:ACS ACR122U 00 00' }, '04A1B2C3D4E5F7');
    station.audit.record('edit', { tokenId: 2, where: 'local queue', patch: { active: false, label: 'ACME-2b' }, retry: true });
    await page.goto(bridge.url + '#/activity');
    const table = page.getByRole('table', { name: 'Audit trail' });
    await table.getByText('ACME-2b').waitFor();
    // The customer by number and name (from the window's customer cache).
    await expect.poll(() => table.textContent()).toContain('customer: 1001 Acme Fleet ApS');
    const english = (await table.textContent())!;
    expect(english).toContain('comment: none');
    expect(english).toContain('token id: 1 ·'); // the trail's names in words, not as the API spells them
    expect(english).not.toContain('tokenId');
    expect(english).toContain('source: Simulated reader');
    expect(english).toContain('source: ACS ACR122U 00 00 (PC/SC reader)');
    expect(english).toContain('active: no');
    expect(english).toContain('retry: yes');
    expect(english).not.toMatch(/null|simulated:|pcsc:|true|false|[{}"]/);
    await app.screenshot('activity-values');
    // One entry exported is one entry (the count in the window's grammar).
    await page.getByLabel('Show').selectOption('edit');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.getByRole('status').filter({ hasText: 'Exported 1 entry as' }).waitFor();
    await page.getByLabel('Show').selectOption('all');

    await setLocale('da');
    await page.getByRole('table', { name: 'Revisionsspor' }).getByText('ACME-2b').waitFor();
    const danish = (await page.getByRole('table', { name: 'Revisionsspor' }).textContent())!;
    expect(danish).toContain('kunde: 1001 Acme Fleet ApS');
    expect(danish).toContain('kommentar: ingen');
    expect(danish).toContain('kilde: Simuleret læser');
    expect(danish).toContain('kilde: ACS ACR122U 00 00 (PC/SC-læser)');
    expect(danish).toContain('active: nej');
    expect(danish).toContain('retry: ja');
    expect(danish).not.toMatch(/null|simulated:|pcsc:|true|false|[{}"]/);
    await app.screenshot('activity-values-danish');
    await setLocale(null);
  });

  it('keeps the OS commands of the Readers screen behind a closed "For IT" disclosure', async () => {
    await page.goto(`${bridge.url}#/readers`);
    await page.getByTestId('last-error').waitFor();
    // What staff see without opening anything: no shell command.
    const COMMAND = /sudo|systemctl|apt |net start|sc config|pcsc_scan|system_profiler|udev|hidraw|pn533/;
    const visible = async () => (await page.locator('.readers-view').innerText());
    expect(await page.locator('.hint').first().innerText()).toMatch(/What to do:/);
    expect(await visible()).not.toMatch(COMMAND);
    const forIt = page.locator('details.for-it');
    expect(await forIt.count()).toBeGreaterThan(0);
    for (const details of await forIt.all()) {
      expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await details.locator('summary').innerText()).toBe('For IT');
    }
    await app.screenshot('readers-for-it-closed');
    await forIt.first().locator('summary').click();
    expect(await forIt.first().innerText()).toMatch(COMMAND);
    await app.screenshot('readers-for-it-open');

    await setLocale('da');
    await page.getByTestId('last-error').waitFor();
    expect(await visible()).not.toMatch(COMMAND);
    const summaries = await page.locator('details.for-it summary').allInnerTexts();
    expect(summaries.length).toBeGreaterThan(0);
    expect(new Set(summaries)).toEqual(new Set(['Til IT']));
    await app.screenshot('readers-for-it-danish');
    await setLocale(null);

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
