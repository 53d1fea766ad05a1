/**
 * The import as an office uses it, in real Chromium against the real core: a 500-row
 * Windows-1252 file from Excel with a customer Spirii does not know and an expiry already past,
 * the problems grouped (real ones first, the rest folded), customers by name, the rows that were
 * not queued saved with a reason and imported again after fixing, and the column mapping for a
 * file with Danish headers. The file dialogs are scripted (Electron's native ones need the
 * Electron binary, not available here).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openOfficeDesk, type App } from '../support/app-harness';
import { ScriptedDialogs, cp1252, writeFile } from '../io/support';

const ROWS = Array.from({ length: 500 }, (_, i) => {
  const uid = `04A7AB${String(i).padStart(8, '0')}`;
  const customer = i === 17 ? '9999' : i % 2 ? '1002' : '1003';
  const expires = i === 42 ? '01.01.2020' : '31/12/2027';
  return `${uid};Mølle ${i};${customer};${expires}`;
});
const FILE = cp1252(['uid;label;customerId;expiresAt', ...ROWS].join('\r\n') + '\r\n');

describe('Import for an office', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, dir: string;
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    app = await openOfficeDesk(dialogs, { viewport: { width: 1366, height: 768 }, colorScheme: 'light' });
    ({ station, bridge, page, dir } = app);
  });
  afterAll(() => app?.close());

  const problemRows = () =>
    page.getByTestId('import-problems').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim())));

  it('marks what Spirii would refuse, shows customers by name, saves the rows not queued and imports them again fixed', async () => {
    await page.goto(`${bridge.url}#/files`);
    dialogs.answer(writeFile(dir, 'kort.csv', FILE));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByTestId('import-summary').textContent()).toBe('500 rows: 498 to queue; not queued: 2 with problems.');
    expect(await problemRows()).toEqual([
      ['19', 'customerId', 'Spirii has no customer 9999: check the customer number in the file'],
      ['44', 'expiresAt', 'The expiry 2020-01-01 is already past: Spirii refuses a card that has expired. Fix the date in the file'],
    ]);
    const row3 = await page.locator('tr[data-row="3"] td').allTextContents();
    expect(row3.slice(2, 6)).toEqual(['04A7AB00000001', 'Mølle 1', '1002', 'Nordlys Taxi A/S']);
    await app.screenshot('import-office-preview-en-light');
    await page.getByRole('button', { name: 'Queue 498 cards' }).click();
    await page.getByTestId('import-result').waitFor();

    // The same file again: two real problems first, the 498 queued folded into one counted line.
    dialogs.answer(writeFile(dir, 'kort.csv', FILE));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    await page.getByTestId('import-summary').getByText('500 rows: 0 to queue').waitFor();
    const again = await problemRows();
    expect(again).toHaveLength(3);
    expect(again[2]).toEqual(['2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (498)', 'uid', '498 cards are already in the queue (queued): not queued again']);

    const out = path.join(dir, 'kort-not-queued.csv');
    dialogs.answer(out);
    await page.getByRole('button', { name: 'Save the rows that were not queued (2)…' }).click();
    await page.getByTestId('rejected-saved').getByText('Saved 2 rows to kort-not-queued.csv, with a reason column: fix them there and import the file again.').waitFor();
    expect(dialogs.asked.at(-1)).toMatchObject({ kind: 'save', defaultName: 'kort-not-queued.csv' });
    const saved = readFileSync(out, 'utf8');
    expect(saved).toContain('"reason"');
    expect(saved).toContain('"9999"');

    dialogs.answer(writeFile(dir, 'kort-fixed.csv', saved.replace('"9999"', '"1004"').replace('01.01.2020', '01.01.2030')));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    await page.getByTestId('import-summary').getByText('2 rows: 2 to queue.').waitFor();
    expect(await page.locator('tr[data-row="2"] td').nth(5).textContent()).toBe('Bornholm Elbiler ApS');
    await page.getByRole('button', { name: 'Queue 2 cards' }).click();
    await page.getByTestId('import-result').waitFor();
    expect(station.queue.findByUid('04A7AB00000017')).toMatchObject({ customerId: 1004 });
  }, 60_000);

  it('in Danish: asks which column is which for Kortnummer;Etiket;Kunde, then previews with that mapping', async () => {
    station.preferences.update({ locale: 'da' });
    await page.reload();
    await page.getByRole('heading', { name: 'Importér kort fra en fil' }).waitFor();
    dialogs.answer(writeFile(dir, 'dansk.csv', 'Kortnummer;Etiket;Kunde;Udløbsdato\r\n04A8000000A001;DK.1;1002;31/12/2027\r\n'));
    await page.getByRole('button', { name: 'Vælg CSV-fil…' }).click();
    const mapping = page.getByTestId('import-mapping');
    await mapping.getByText('Hvilken kolonne er hvad i dansk.csv?').waitFor();
    expect(await page.getByLabel('Hvad kolonnen Kortnummer indeholder').inputValue()).toBe('uid');
    expect(await page.getByLabel('Hvad kolonnen Kunde indeholder').inputValue()).toBe('customerId');
    expect(await page.getByLabel('Hvad kolonnen Udløbsdato indeholder').inputValue()).toBe('expiresAt');
    await page.getByLabel('Hvad kolonnen Etiket indeholder').selectOption({ label: 'Importér ikke' });
    await app.screenshot('import-office-mapping-da-light');
    await page.getByLabel('Hvad kolonnen Etiket indeholder').selectOption('label');
    await page.getByRole('button', { name: 'Vis med disse kolonner' }).click();
    await page.getByTestId('import-preview').waitFor();
    const cells = await page.locator('tr[data-row="2"] td').allTextContents();
    expect(cells.slice(2, 6)).toEqual(['04A8000000A001', 'DK.1', '1002', 'Nordlys Taxi A/S']);
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('import-office-preview-da-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    station.preferences.update({ locale: 'en' });
  }, 60_000);
});
