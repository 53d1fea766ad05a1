/**
 * Date fields follow the window's language, not the browser's: with Chromium itself in American
 * English (en-US, where `<input type="date">` shows mm/dd/yyyy) and the window in Danish, the Tokens
 * filters, the Queue's Edit and the token detail show and read day-first Danish dates, in real
 * Chromium against the real core and the built-in sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

describe('date fields in the window language', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  const local = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).toISOString();
  const count = () => page.getByTestId('token-count').textContent();

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { simulated: true, pcsc: false }, sync: { autoStart: false } },
      beforeBridge: async (station) => {
        await station.preferences.update({ locale: 'da' });
        await station.syncSettings.update({ holdMinutes: 60 });
      },
      page: { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-US' },
    });
    ({ station, bridge, page, watcher } = app);
    expect(await page.evaluate(() => navigator.language)).toBe('en-US');
  });

  afterAll(() => app?.close());

  it('filters Tokens by dates typed day-first, and shows them so', async () => {
    await station.client.createTokens([
      { customerId: 1001, identifier: { type: 'rfid', uid: '04DA7E00000001', label: 'D-1' }, expiresAt: local(2027, 3, 15) },
      { customerId: 1001, identifier: { type: 'rfid', uid: '04DA7E00000002', label: 'D-2' }, expiresAt: local(2027, 12, 31, 14, 30) },
      { customerId: 1001, identifier: { type: 'rfid', uid: '04DA7E00000003', label: 'D-3' }, expiresAt: local(2028, 6, 2) },
    ]);
    await page.goto(`${bridge.url}#/tokens`);
    await expect.poll(count).toBe('3 tokens');

    const expiresFrom = page.getByLabel('Udløber fra');
    expect(await expiresFrom.getAttribute('type')).toBe('text');
    expect(await expiresFrom.getAttribute('placeholder')).toBe('dd.mm.åååå');
    // 1 June 2027: a month-first reading (6 January) would keep all three.
    await expiresFrom.fill('01.06.2027');
    await expiresFrom.press('Enter');
    await expect.poll(count).toBe('2 tokens');
    // Typed loosely, shown as the window writes it.
    await expiresFrom.fill('2/6/2028');
    await expiresFrom.press('Tab');
    expect(await expiresFrom.inputValue()).toBe('02.06.2028');
    await expect.poll(count).toBe('1 token');
    await app.screenshot('date-fields-tokens-da');

    // Not a date: said so, in Danish, and the filter stays as it was.
    await expiresFrom.fill('31.02.2028');
    await expiresFrom.press('Tab');
    expect(await expiresFrom.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Skriv en dato som dd.mm.åååå').waitFor();
    await expect.poll(count).toBe('1 token');
    await page.getByRole('button', { name: 'Nulstil filtre' }).click();
    await expect.poll(count).toBe('3 tokens');
    expect(await expiresFrom.inputValue()).toBe('');
    expect(await expiresFrom.getAttribute('aria-invalid')).toBeNull();

    // The token detail: date and time, day-first.
    await page.getByLabel('Søg').fill('04DA7E00000002');
    await expect.poll(count).toBe('1 token');
    await page.getByTestId('token-grid').focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('token-detail');
    await expect.poll(() => detail.getByLabel('Udløber').inputValue()).toBe('31.12.2027 14:30');
    await app.screenshot('date-fields-detail-da');
  });

  it('keeps rows of the Tokens list in sight under its filters in a small window', async () => {
    await page.setViewportSize({ width: 800, height: 560 });
    try {
      await page.goto(`${bridge.url}#/tokens`);
      await page.getByLabel('Udløber fra').waitFor();
      // The filters wrap to three lines here; the list under them is not squeezed to nothing.
      await expect.poll(async () => (await page.getByTestId('token-grid').boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(200);
      await app.screenshot('date-fields-tokens-da-800x560');
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  it("edits a queued token's dates in Danish", async () => {
    expect(station.enrollment.tap('04DA7E00000010', 'test', { customerId: 1001, label: 'Q-1' }).status).toBe('queued');
    await page.goto(`${bridge.url}#/queue`);
    await page.getByRole('button', { name: 'Ret 04DA7E00000010' }).click();
    const edit = page.getByRole('dialog', { name: 'Ret token 04DA7E00000010' });
    const expires = edit.getByLabel('Udløber');
    expect(await expires.getAttribute('placeholder')).toBe('dd.mm.åååå');
    await expires.fill('31.12.2030');
    await edit.getByLabel('Gyldig fra').fill('01.02.2030');
    await app.screenshot('date-fields-queue-edit-da');
    await edit.getByRole('button', { name: 'Gem' }).click();
    await expect.poll(() => station.queue.list({ states: ['held'] }).find((t) => t.uid === '04DA7E00000010')?.expiresAt ?? null).not.toBeNull();
    const token = station.queue.list({ states: ['held'] }).find((t) => t.uid === '04DA7E00000010')!;
    // The Queue keeps a day as that day at 00:00 UTC.
    expect([token.validFrom, token.expiresAt]).toEqual(['2030-02-01T00:00:00.000Z', '2030-12-31T00:00:00.000Z']);

    // Opened again, the field shows the saved dates day-first.
    await page.getByRole('button', { name: 'Ret 04DA7E00000010' }).click();
    await expect.poll(() => edit.getByLabel('Udløber').inputValue()).toBe('31.12.2030');
    expect(await edit.getByLabel('Gyldig fra').inputValue()).toBe('01.02.2030');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
