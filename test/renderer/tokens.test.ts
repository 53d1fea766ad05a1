/**
 * The Tokens screen in real Chromium against the real core and its built-in sandbox, seeded with
 * 3,000 tokens: every filter and sort of GET /v2/tokens as a desk would set them, the list
 * answering as the API does, and an edit that is confirmed before it is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { SpiriiToken } from '../../electron/core/token';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { seedSandbox } from '../support/seed';

const COUNT = 3000;

describe('Tokens screen', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let seeded: SpiriiToken[];

  const shot = (name: string) => app.screenshot(name);
  const count = () => page.getByTestId('token-count').textContent();
  /** The ids of the first rows on screen, top to bottom. */
  const shownIds = (n: number) =>
    page.evaluate(
      (n) =>
        [...document.querySelectorAll('[data-row-index]')]
          .slice(0, n)
          .map((row) => Number(row.querySelector('[role="gridcell"]')?.textContent)),
      n,
    );

  beforeAll(async () => {
    app = await openApp({
      beforeStation: (dataDir) => (seeded = seedSandbox(dataDir, COUNT)),
      page: { viewport: { width: 1440, height: 900 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it('lists every token, filters and sorts as GET /v2/tokens does', async () => {
    await page.goto(bridge.url + '#/tokens');
    await expect.poll(count).toBe('3,000 tokens');
    // Newest id first, the API's default order.
    expect(await shownIds(3)).toEqual([seeded.at(-1)!.id, seeded.at(-2)!.id, seeded.at(-3)!.id]);
    // Only the rows on screen exist, not 3,000.
    expect(await page.locator('[data-row-index]').count()).toBeLessThan(60);
    await shot('tokens-list');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('tokens-list-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    const expectFromApi = (test: (t: SpiriiToken) => boolean) => seeded.filter(test);

    // Search: part of a label.
    await page.getByLabel('Search').fill('SEED.0001');
    const bySearch = expectFromApi((t) => (t.identifier.label ?? '').includes('SEED.0001'));
    await expect.poll(count).toBe(`${bySearch.length} tokens`);
    expect(await shownIds(2)).toEqual(bySearch.slice(-2).reverse().map((t) => t.id));
    await page.getByLabel('Search').fill('');

    // Type, customer, active, roaming, priority together.
    await page.getByLabel('Type').selectOption('rfid');
    // The customer by name, in the Enroll screen's picker: "Fjordhavn" is customer 1003.
    await page.getByRole('combobox', { name: 'Customer' }).fill('Fjordhavn');
    await page.getByRole('option', { name: /Fjordhavn Kommune/ }).click();
    await page.getByTestId('selected-customer').getByText('Fjordhavn Kommune').waitFor();
    await page.getByLabel('Active', { exact: true }).selectOption('yes');
    await page.getByLabel('Roaming', { exact: true }).selectOption('yes');
    await page.getByLabel('Priority', { exact: true }).selectOption('yes');
    const combined = expectFromApi(
      (t) => t.identifier.type === 'rfid' && t.customerId === 1003 && t.isActive && t.roamingEnabled && t.priorityChargingEnabled,
    );
    expect(combined.length).toBeGreaterThan(0);
    await expect.poll(count).toBe(`${combined.length} tokens`);
    expect(await shownIds(1)).toEqual([combined.at(-1)!.id]);

    // Every row names its customer beside the number (names asked for in one batch, not per row).
    await expect.poll(() => page.locator('[data-row-index="0"] .customer').textContent()).toBe('1003 Fjordhavn Kommune');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(count).toBe('3,000 tokens');

    // Valid from / expires from, sorted by expiry ascending.
    await page.getByLabel('Valid from (on or after)').fill('2025-06-01');
    await page.getByLabel('Expires from').fill('2026-01-01');
    await page.getByLabel('Sort by').selectOption('expiresAt');
    await page.getByLabel('Direction').selectOption('asc');
    const validFrom = new Date('2025-06-01T00:00:00').toISOString();
    const expiresFrom = new Date('2026-01-01T00:00:00').toISOString();
    const dated = expectFromApi((t) => t.validFrom >= validFrom && t.expiresAt !== null && t.expiresAt >= expiresFrom).sort((a, b) =>
      a.expiresAt === b.expiresAt ? a.id - b.id : a.expiresAt! < b.expiresAt! ? -1 : 1,
    );
    await expect.poll(count).toBe(`${dated.length.toLocaleString('en-GB')} tokens`);
    await expect.poll(() => shownIds(3)).toEqual(dated.slice(0, 3).map((t) => t.id));
    await shot('tokens-filtered');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(count).toBe('3,000 tokens');

    // A click on a sortable header sorts by it (ascending first), a second click turns it round;
    // columns GET /v2/tokens cannot sort by have no button.
    const byId = [...seeded].sort((a, b) => a.id - b.id);
    await page.getByRole('columnheader', { name: /Valid from/ }).getByRole('button').click();
    expect(await page.getByLabel('Sort by').inputValue()).toBe('validFrom');
    const byValidFrom = [...seeded].sort((a, b) => (a.validFrom === b.validFrom ? a.id - b.id : a.validFrom < b.validFrom ? -1 : 1));
    await expect.poll(() => shownIds(1)).toEqual([byValidFrom[0]!.id]);
    expect(await page.getByRole('columnheader', { name: /Valid from/ }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('columnheader', { name: /^Id/ }).getByRole('button').click();
    await expect.poll(() => shownIds(1)).toEqual([byId.at(-1)!.id]);
    await page.getByRole('columnheader', { name: /^Id/ }).getByRole('button').click();
    await expect.poll(() => shownIds(1)).toEqual([byId[0]!.id]);
    expect(await page.getByRole('columnheader', { name: 'Label' }).getByRole('button').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(count).toBe('3,000 tokens');

    // Scrolling far down shows the rows there (fetched page by page as the list is scrolled).
    await page.getByTestId('token-grid').evaluate((grid) => (grid.scrollTop = 2500 * 36));
    await expect.poll(() => page.locator('[data-row-index="2500"] [role="gridcell"]').first().textContent()).toBe(String(seeded[COUNT - 1 - 2500]!.id));
  });

  it('edits a token after showing the changes and asking to confirm', async () => {
    await page.getByRole('button', { name: 'Clear filters' }).click();
    const target = seeded.find((t) => t.identifier.type === 'rfid' && t.isActive && t.comment === null && t.id > seeded.at(-40)!.id)!;
    await page.getByLabel('Search').fill(target.identifier.uid!);
    await expect.poll(count).toBe('1 token');

    // By keyboard: into the list, Enter opens the token.
    await page.getByTestId('token-grid').focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('token-detail');
    await detail.getByRole('heading', { name: `Token ${target.id}` }).waitFor();

    await detail.getByLabel('Active').uncheck();
    await detail.getByLabel('Comment').fill('Card reported lost');
    await detail.getByRole('button', { name: 'Review changes…' }).click();
    const dialog = page.getByTestId('confirm-patch');
    await dialog.waitFor();
    const rows = await dialog.locator('tbody tr').allTextContents();
    expect(rows).toEqual(['ActiveYesNo', 'Comment(empty)Card reported lost']);
    await shot('tokens-confirm');

    // Cancel sends nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(station.sandbox!.tokens().find((t) => t.id === target.id)).toMatchObject({ isActive: true, comment: null });

    await detail.getByRole('button', { name: 'Review changes…' }).click();
    await dialog.getByRole('button', { name: 'Send to Spirii' }).click();
    await detail.getByTestId('patch-result').getByText(/Saved in Spirii/).waitFor();
    expect(station.sandbox!.tokens().find((t) => t.id === target.id)).toMatchObject({ isActive: false, comment: 'Card reported lost' });
    // The list shows the new state without a refresh.
    await expect.poll(() => page.locator('[data-row-index="0"] [role="gridcell"]').nth(5).textContent()).toBe('No');

    // An expiry before the start is caught before anything is sent.
    await detail.getByLabel('Expires at').fill('2000-01-01T00:00');
    await detail.getByText('“Expires at” must be after “valid from”.').waitFor();
    expect(await detail.getByRole('button', { name: 'Review changes…' }).isDisabled()).toBe(true);
    await shot('tokens-detail');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('tokens-detail-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
