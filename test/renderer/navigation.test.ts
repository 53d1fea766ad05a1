/**
 * The navigation bar, in real Chromium against the real core: the screens are in their final
 * order and Alt+1..9 opens each one (the URL hash follows, the tab is marked current), in English
 * and Danish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

const ORDER = [
  { key: 'Alt+1', hash: '#/enroll', name: 'Enroll' },
  { key: 'Alt+2', hash: '#/queue', name: 'Queue' },
  { key: 'Alt+3', hash: '#/summary', name: 'Session' },
  { key: 'Alt+4', hash: '#/tokens', name: 'Tokens' },
  { key: 'Alt+5', hash: '#/files', name: 'Import/Export' },
  { key: 'Alt+6', hash: '#/readers', name: 'Readers' },
  { key: 'Alt+7', hash: '#/activity', name: 'Activity' },
  { key: 'Alt+8', hash: '#/settings', name: 'Settings' },
  { key: 'Alt+9', hash: '#/cards', name: 'Cards' },
];

describe('navigation', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({ page: { viewport: { width: 1280, height: 820 }, colorScheme: 'light', locale: 'en-GB' } });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it('lists the screens in order and opens each with Alt+N', async () => {
    await page.goto(bridge.url);
    const bar = page.getByRole('navigation', { name: 'Screens' });
    await bar.getByRole('link').first().waitFor();
    const links = bar.getByRole('link');
    expect(await links.evaluateAll((all) => all.map((a) => [a.getAttribute('href'), a.getAttribute('aria-keyshortcuts')]))).toEqual(
      ORDER.map((s) => [s.hash, s.key]),
    );
    for (const screen of [...ORDER].reverse()) {
      await page.keyboard.press(screen.key);
      await expect.poll(() => page.evaluate(() => location.hash)).toBe(screen.hash);
      const current = bar.locator('[aria-current="page"]');
      expect((await current.textContent())?.replace(/\d+$/, '').trim()).toBe(screen.name);
    }
    await app.screenshot('navigation-enroll');

    // Danish: the same order, the names translated.
    await station.preferences.update({ locale: 'da' });
    await page.reload();
    const da = page.getByRole('navigation', { name: 'Skærme' });
    await da.getByRole('link').first().waitFor();
    expect(await da.textContent()).toMatch(/Tilmeld1.*Kø2.*Session3.*Tokens4.*Import\/eksport5.*Læsere6.*Aktivitet7.*Indstillinger8.*Kort9/);
    await page.keyboard.press('Alt+8');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/settings');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
