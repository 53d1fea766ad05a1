/**
 * The customer picker (the Enroll screen's: name, number or external id) as the customer filter of
 * the Import/Export screen's export and reconcile, in real Chromium against the real core and the
 * built-in sandbox; a whole number stays usable as a filter even when no directory knows it. The
 * Tokens screen's export of one token, with these tokens at hand, says it as one.
 * The file dialog is scripted (Electron's native one needs the Electron binary).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openOfficeDesk, type App } from '../support/app-harness';
import { ScriptedDialogs } from '../io/support';

describe('Customer filters by name', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, dir: string, watcher: App['watcher'];
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    app = await openOfficeDesk(dialogs, { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-GB' });
    ({ station, bridge, page, dir, watcher } = app);
    page.setDefaultTimeout(8000);
  });
  afterAll(() => app?.close());

  it('exports one customer chosen by name, and one chosen by number', async () => {
    for (const [customerId, base] of [[1003, 0x08100000], [1004, 0x08200000]] as const) {
      await station.client.createTokens(Array.from({ length: 5 }, (_, i) => ({ customerId, identifier: { type: 'rfid' as const, uid: (base + i).toString(16).toUpperCase().padStart(8, '0') } })));
    }
    await page.goto(`${bridge.url}#/files`);
    const exportForm = page.getByTestId('export');
    const picker = exportForm.getByRole('combobox', { name: 'Customer' });
    expect(await exportForm.locator('input[inputmode="numeric"]').count()).toBe(0); // no bare number field
    await picker.fill('Fjordhavn');
    await exportForm.getByRole('option', { name: /Fjordhavn Kommune/ }).click();
    await exportForm.getByTestId('selected-customer').getByText('Fjordhavn Kommune').waitFor();
    await app.screenshot('export-customer-picked');

    const byName = path.join(dir, 'fjordhavn.csv');
    dialogs.answer(byName);
    await page.getByLabel('File format').selectOption('csv');
    await exportForm.getByRole('button', { name: 'Export…' }).click();
    await page.getByTestId('export-result').getByText('Exported 5 tokens to fjordhavn.csv.').waitFor();
    const rows = readFileSync(byName, 'utf8').trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.split(';')[3])).toEqual(Array(5).fill('1003'));

    // The number still works: typed, it finds its customer.
    await exportForm.getByRole('button', { name: 'Change' }).click();
    await picker.fill('1004');
    await exportForm.getByRole('option').filter({ hasText: '#1004' }).first().click();
    const byNumber = path.join(dir, 'by-number.csv');
    dialogs.answer(byNumber);
    await exportForm.getByRole('button', { name: 'Export…' }).click();
    await page.getByTestId('export-result').getByText('Exported 5 tokens to by-number.csv.').waitFor();
    expect(readFileSync(byNumber, 'utf8').trim().split('\r\n').slice(1).map((row) => row.split(';')[3])).toEqual(Array(5).fill('1004'));

    // Back to every customer.
    await exportForm.getByRole('button', { name: 'Show all customers' }).click();
    expect(await picker.getAttribute('placeholder')).toBe('Any customer');
  });

  it("says one token exported from the Tokens screen as one", async () => {
    await page.goto(`${bridge.url}#/tokens`);
    await page.getByLabel('Search').fill('08100003');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Export…' }).click();
    const box = page.getByRole('dialog', { name: 'Export these tokens' });
    await expect.poll(() => box.textContent()).toContain('The 1 token in Spirii matching');
    dialogs.answer(path.join(dir, 'one-token.csv'));
    await box.getByLabel('File format').selectOption('csv');
    await box.getByRole('button', { name: 'Choose file and export' }).click();
    await box.getByTestId('export-tokens-result').getByText('Saved 1 token to one-token.csv.').waitFor();
  });

  it("filters the Queue by a customer chosen by name, or by number", async () => {
    for (const [i, customerId] of [1003, 1003, 1004].entries()) {
      const outcome = station.enrollment.tap(`04C1000${i}`, 'test', { customerId, label: null });
      expect(outcome.status).toBe('queued');
    }
    await page.goto(`${bridge.url}#/queue`);
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
    const uids = () => page.locator('tbody tr[data-uid]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-uid')).sort());
    await expect.poll(uids).toEqual(['04C10000', '04C10001', '04C10002']);
    const filters = page.getByTestId('queue-filters');
    await filters.getByRole('combobox', { name: 'Customer' }).fill('Fjordhavn');
    await filters.getByRole('option', { name: /Fjordhavn Kommune/ }).click();
    await expect.poll(uids).toEqual(['04C10000', '04C10001']);
    await app.screenshot('queue-customer-filter');
    await filters.getByRole('button', { name: 'Change' }).click();
    await filters.getByRole('combobox', { name: 'Customer' }).fill('1004');
    await filters.getByRole('option').filter({ hasText: '#1004' }).first().click();
    await expect.poll(uids).toEqual(['04C10002']);
    await filters.getByRole('button', { name: 'Show all customers' }).click();
    await expect.poll(uids).toEqual(['04C10000', '04C10001', '04C10002']);
  });

  it('keeps a number no directory knows usable as the filter', async () => {
    await page.goto(`${bridge.url}#/files`);
    const reconcile = page.getByTestId('reconcile');
    await reconcile.getByRole('combobox', { name: 'Only this customer (optional)' }).fill('424242');
    await reconcile.getByRole('option', { name: 'Customer number 424242' }).click();
    await expect.poll(() => reconcile.getByTestId('selected-customer').locator('.name').textContent()).toBe('Customer #424242');
    await reconcile.getByRole('button', { name: 'Compare' }).click();
    await expect.poll(() => page.getByTestId('reconcile-summary').textContent(), { timeout: 15_000 }).toContain('(customer 424242)');
    await app.screenshot('reconcile-customer-number');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
