// A PC/SC failure at start-up (here: its addon file is missing) is shown to the desk when the
// window opens, in real Chromium against the real core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../support/app-harness';

describe('a reader error', () => {
  let app: App;

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { pcsc: true, simulated: true }, native: { pcsc: '/nonexistent/pcsclite.node' } },
      page: { viewport: { width: 1280, height: 600 } },
    });
  });
  afterAll(() => app?.close());

  it('that happened before the window opened is shown as an alert, and the simulated reader still works', async () => {
    const { page, bridge, watcher } = app;
    await page.goto(bridge.url);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/PC\/SC is not available: .*Install the smart-card service \(pcscd on Linux\)/);
    expect(await page.getByText('Simulated reader').count()).toBeGreaterThan(0);
    await app.screenshot('reader-error');
    expect(await watcher.problems()).toEqual([]);
  });

  it('is said in Danish in a Danish window, the loader\'s own words kept inside', async () => {
    const { page, bridge, station, watcher } = app;
    await station.preferences.update({ locale: 'da' });
    try {
      await page.goto(bridge.url);
      await page.reload();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent())!;
      expect(text).toMatch(/PC\/SC er ikke tilgængelig: .*\/nonexistent\/pcsclite\.node.*Installér chipkorttjenesten \(pcscd på Linux\), og genstart\./);
      expect(text).not.toMatch(/is not available|Install the/);
      expect(await page.getByText('Simuleret læser').count()).toBeGreaterThan(0);
      await app.screenshot('reader-error-danish');
      expect(await watcher.problems()).toEqual([]);
    } finally {
      await station.preferences.update({ locale: null });
    }
  });
});
