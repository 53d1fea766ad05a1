/**
 * The Readers screen and the keyboard-wedge capture in real Chromium against the real core. PC/SC
 * is pointed at a missing addon so that a reader error (with what to do) is there to show; the
 * wedge is Chromium's keyboard typing at a reader's speed, and at a person's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

describe('Readers screen', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { pcsc: true, simulated: true }, native: { pcsc: '/nonexistent/pcsclite.node' }, sync: { autoStart: false } },
      beforeBridge: (station) => {
        station.enrollment.update({ customerId: 1001 });
        station.readerDesk.update({ wedgeFormat: 'decimal' });
      },
      page: { viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
    });
    ({ station, bridge, page, watcher } = app);
  });
  afterAll(() => app?.close());

  it('shows the readers, the active one, the last error with what to do, and a UID in every format', async () => {
    await page.goto(`${bridge.url}#/readers`);
    const list = page.getByTestId('reader-list');
    await list.waitFor();
    expect(await list.textContent()).toMatch(/Simulated reader.*enrolling/);
    expect(await page.getByTestId('last-error').textContent()).toMatch(/PC\/SC is not available/);
    expect(await page.locator('.hint').textContent()).toMatch(/What to do: Install the PC\/SC service and library/);

    await page.getByRole('textbox', { name: 'UID' }).fill('2158232226');
    await page.getByRole('combobox', { name: 'Written as' }).selectOption('decimal');
    const formats = page.getByTestId('uid-formats');
    await expect.poll(() => formats.textContent()).toMatch(/Stored as80A402A2/);
    const text = (await formats.textContent())!;
    expect(text).toContain('80:A4:02:A2');
    expect(text).toContain('A202A480');
    expect(text).toContain('2718082176');
  });

  it('catches a wedge typing a decimal UID, shows the conversion, and enrolls it only when confirmed', async () => {
    await page.goto(`${bridge.url}#/readers`);
    await page.getByTestId('reader-list').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // A reader: every key right after the last, then Enter.
    await page.keyboard.type('2158232226');
    await page.keyboard.press('Enter');
    const read = page.getByTestId('wedge-read');
    await read.waitFor();
    expect(await read.textContent()).toMatch(/typed 2158232226 \(Decimal\); it is the UID 80A402A2/);
    expect(station.queue.list()).toEqual([]); // shown before anything is queued
    await app.screenshot('readers-wedge', { fullPage: true });
    await read.getByRole('button', { name: 'Enroll this card' }).click();
    await expect.poll(() => station.queue.list().map((t) => [t.uid, t.source])).toEqual([['80A402A2', 'hid:Keyboard wedge (window)']]);
    await expect.poll(() => page.getByTestId('last-card').textContent()).toMatch(/80A402A2.*Queued/);
    expect(await page.getByTestId('last-card').locator('.pill').textContent()).toBe('Queued');

    // The same card again from the simulated reader: refused as a duplicate, in words, in both languages.
    station.simulated!.tap('80A402A2');
    const pill = page.getByTestId('last-card').locator('.pill');
    await expect.poll(() => pill.getAttribute('data-outcome')).toBe('refused');
    expect(await pill.textContent()).toBe('Refused');
    await station.preferences.update({ locale: 'da' });
    await page.reload();
    await page.getByTestId('last-card').waitFor();
    expect(await page.getByTestId('last-card').locator('.pill').textContent()).toBe('Afvist');
    expect(await page.getByTestId('reader-list').textContent()).toMatch(/Simuleret læser\s*\(simuleret\)/);
    await app.screenshot('readers-last-card-danish');
    await station.preferences.update({ locale: null });
    await page.reload();
    await page.getByTestId('reader-list').waitFor();
  });

  it('leaves a person typing digits alone', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.type('4294967', { delay: 120 });
    await page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.getByTestId('wedge-read').count()).toBe(0);
    expect(station.queue.list()).toHaveLength(1);
    expect(await watcher.problems()).toEqual([]);
  });
});
