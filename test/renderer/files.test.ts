/**
 * The Import/Export screen in real Chromium against the real core (WebSocket bridge, built
 * renderer under its CSP). Files are chosen in the core's dialogs, scripted here because the real
 * ones are Electron's (no Electron binary on this machine); the page never names a path.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openOfficeDesk, type App } from '../support/app-harness';
import { axeViolations, describeViolations } from '../support/axe';
import { ScriptedDialogs, writeFile } from '../io/support';

describe('Import/Export screen', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let dir: string;
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    app = await openOfficeDesk(dialogs, { viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    ({ station, bridge, page, watcher, dir } = app);
  });

  afterAll(() => app?.close());

  it('previews a file with its format and every problem, then queues the ready rows', async () => {
    await page.goto(`${bridge.url}#/files`);
    await page.getByRole('link', { name: /Import\/Export/ }).waitFor();
    expect(await page.getByRole('link', { name: /Import\/Export/ }).getAttribute('aria-current')).toBe('page');

    await station.client.createTokens([{ customerId: 1002, identifier: { type: 'rfid', uid: '04C1000000A004', label: 'THEIRS' } }]);
    const csv = 'sep=;\r\nCard;Visual ID;Customer;expiresAt\r\n04C1000000A001;DK.0001;;\r\n04C1000000A002;DK.0002;1003;31.12.2027\r\n04C10000;;;\r\nxyz;DK.0004;;\r\n04C1000000A004;DK.0005;;\r\n04C1000000A001;DK.0001;;\r\n';
    dialogs.answer(writeFile(dir, 'supplier.csv', csv));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    expect(await page.getByTestId('import-format').textContent()).toBe('UTF-8, semicolon-separated (from its "sep=" line), CRLF line ends, UIDs in hex (detected)');
    expect(await page.getByTestId('import-summary').textContent()).toBe('6 rows: 3 to queue; not queued: 1 with problems, 1 repeated in the file, 1 already in Spirii.');
    const problems = await page.getByTestId('import-problems').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(problems).toEqual([
      ['5', 'Card', 'UID "xyz" is not hexadecimal (only 0-9 and A-F are allowed)'],
      ['6', 'Card', expect.stringMatching(/^Card 04C1000000A004 is already in Spirii \(token \d+, customer 1002, label THEIRS\)$/)],
      ['7', 'Card', 'Card 04C1000000A001 repeats row 2; it is queued once'],
    ]);
    const statuses = await page.getByTestId('import-rows').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses).toEqual(['ready', 'ready', 'ready', 'invalid', 'spirii', 'file']);
    expect(await page.locator('tr[data-row="3"] td').nth(4).textContent()).toBe('1003');
    expect(station.queue.counts().pending).toBe(0);
    await app.screenshot('files-import-preview', { fullPage: true });

    await page.getByRole('button', { name: 'Queue 3 cards' }).click();
    await page.getByTestId('import-result').getByText('Queued 3 cards from supplier.csv; 3 rows not queued.').waitFor();
    expect(station.queue.list().map((t) => t.uid).sort()).toEqual(['04C10000', '04C1000000A001', '04C1000000A002']);
    expect(station.queue.findByUid('04C1000000A002')).toMatchObject({ customerId: 1003, expiresAt: '2027-12-31T00:00:00.000Z', label: 'DK.0002' });

    dialogs.answer(writeFile(dir, 'book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0])));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    await page.getByTestId('import-refused').getByText(/Not imported: book\.csv/).waitFor();
    expect(await page.getByTestId('import-refused').textContent()).toContain('save it as "CSV UTF-8" first');
  });

  it('exports with a progress bar, can cancel, and writes the file the save dialog chose', async () => {
    for (let batch = 0; batch < 3; batch++) {
      await station.client.createTokens(
        Array.from({ length: 1000 }, (_, i) => ({ customerId: 1004, identifier: { type: 'rfid' as const, uid: (0x07000000 + batch * 1000 + i).toString(16).toUpperCase().padStart(8, '0') } })),
      );
    }
    station.sandbox!.setFaults({ latencyMs: 400 });
    const target = path.join(dir, 'finance.csv');
    dialogs.answer(target);
    await page.getByLabel('File format').selectOption('csv');
    // The customer filter is the customer picker: the number finds its customer.
    await page.getByTestId('export').getByRole('combobox', { name: 'Customer' }).fill('1004');
    await page.getByTestId('export').getByRole('option').filter({ hasText: '#1004' }).first().click();
    await page.getByRole('button', { name: 'Export…' }).click();
    const bar = page.getByTestId('export-progress');
    await expect.poll(async () => (await bar.count()) > 0 && (await bar.evaluate((el) => (el as HTMLProgressElement).value)) > 0, { timeout: 10_000 }).toBe(true);
    await app.screenshot('files-export-progress', { fullPage: true });
    await page.getByTestId('export-result').getByText('Exported 3000 tokens to finance.csv.').waitFor({ timeout: 20_000 });
    const text = readFileSync(target, 'utf8');
    // The screen's defaults: ";" and a BOM, for Excel, and headers for people.
    expect(text.startsWith('\uFEFF"Token id";"UID";"Label";"Customer number";"Customer name";')).toBe(true);
    expect(text.trim().split('\r\n')).toHaveLength(3001);

    const cancelled = path.join(dir, 'never.xlsx');
    dialogs.answer(cancelled);
    await page.getByLabel('File format').selectOption('xlsx');
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).first().click();
    await page.getByTestId('export-cancelled').getByText('Cancelled: nothing was written.').waitFor();
    expect(existsSync(cancelled)).toBe(false);
    station.sandbox!.setFaults({ latencyMs: 0 });
  }, 60_000);

  it('compares the desk with Spirii and lists the differences', async () => {
    await page.getByRole('button', { name: 'Compare' }).click();
    const summary = page.getByTestId('reconcile-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toBe('3 enrolled here, 3001 RFID tokens in Spirii: 3 missing in Spirii, 3001 not enrolled here, 0 inactive, 0 with another customer, 0 with another label.');
    expect(await page.locator('[data-testid="reconcile-differences"] tr[data-kind="missing-in-spirii"]').count()).toBe(3);
    await app.screenshot('files-reconcile', { fullPage: false });
    // The screen with a preview, an export result and a comparison on it: no accessibility violations.
    dialogs.answer(writeFile(dir, 'again.csv', 'uid;label\n04C1000000B001;X\nbad;Y\n'));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    await page.getByTestId('import-preview').waitFor();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('import').scrollIntoViewIfNeeded();
    await app.screenshot('files-dark');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  }, 30_000);

  it('in Danish: the format, the summary, every problem, a refused file, an export and the comparison are in Danish', async () => {
    station.preferences.update({ locale: 'da' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByRole('heading', { name: 'Importér kort fra en fil' }).waitFor();

    const csv = 'sep=;\r\nCard;Visual ID;Customer\r\n04C1000000D001;DK.1;\r\n04C1000000A001;DK.0001;\r\n04C1000000A004;X;\r\nxyz;Y;\r\n04C1000000D001;DK.1;\r\n';
    dialogs.answer(writeFile(dir, 'leverandør.csv', csv));
    await page.getByRole('button', { name: 'Vælg CSV-fil…' }).click();
    await page.getByTestId('import-preview').getByText('leverandør.csv').waitFor();
    expect(await page.getByTestId('import-format').textContent()).toBe('UTF-8, semikolonsepareret (fra filens "sep="-linje), CRLF-linjeskift, UID\'er i hex (genkendt)');
    expect(await page.getByTestId('import-summary').textContent()).toBe('5 rækker: 1 sættes i kø; ikke i kø: 1 med problemer, 1 gentaget i filen, 1 allerede i køen, 1 allerede i Spirii.');
    const problems = await page.getByTestId('import-problems').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    // Real problems first, then the rows held back.
    expect(problems).toEqual([
      ['5', 'Card', 'UID "xyz" er ikke hexadecimalt (kun 0-9 og A-F er tilladt)'],
      ['3', 'Card', 'Kort 04C1000000A001 er allerede i køen (i kø, kunde 1001, etiket DK.0001)'],
      ['4', 'Card', expect.stringMatching(/^Kort 04C1000000A004 er allerede i Spirii \(token \d+, kunde 1002, etiket THEIRS\)$/)],
      ['6', 'Card', 'Kort 04C1000000D001 gentager række 2; det sættes i kø én gang'],
    ]);
    expect(await page.locator('tr[data-row="5"] td.detail').textContent()).toBe('UID "xyz" er ikke hexadecimalt (kun 0-9 og A-F er tilladt)');
    await app.screenshot('files-import-danish', { fullPage: true });

    await page.getByRole('button', { name: 'Sæt 1 kort i kø' }).click();
    await page.getByTestId('import-result').getByText('1 kort fra leverandør.csv sat i kø; 4 rækker ikke sat i kø.').waitFor();

    dialogs.answer(writeFile(dir, 'bog.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0])));
    await page.getByRole('button', { name: 'Vælg CSV-fil…' }).click();
    const refused = page.getByTestId('import-refused');
    await refused.getByText('Ikke importeret: bog.csv').waitFor();
    expect(await refused.textContent()).toContain('Det er ikke en CSV-fil, men et ZIP-arkiv eller en Excel-projektmappe (.xlsx). Gem den først som "CSV UTF-8" i Excel eller LibreOffice.');
    await app.screenshot('files-refused-danish');

    // An export of this desk's queue, then the comparison.
    const target = path.join(dir, 'skranke.csv');
    dialogs.answer(target);
    await page.getByRole('radio', { name: 'Denne skranke: kø og historik' }).check();
    await page.getByLabel('Filformat').selectOption('csv');
    const showAll = page.getByTestId('export').getByRole('button', { name: 'Vis alle kunder' });
    if ((await showAll.count()) > 0) await showAll.click();
    expect(await page.getByTestId('export').getByText('I kø', { exact: true }).count()).toBe(1); // the state filter, in Danish
    await page.getByRole('button', { name: 'Eksportér…' }).click();
    await page.getByTestId('export-result').getByText('4 tokens eksporteret til skranke.csv.').waitFor();
    expect(existsSync(target)).toBe(true);

    await page.getByRole('button', { name: 'Sammenlign' }).click();
    await expect
      .poll(() => page.getByTestId('reconcile-summary').textContent())
      .toBe('4 tilmeldt her, 3001 RFID-tokens i Spirii: 4 mangler i Spirii, 3001 ikke tilmeldt her, 0 inaktive, 0 med en anden kunde, 0 med en anden etiket.');
    const missing = page.locator('[data-testid="reconcile-differences"] tr[data-kind="missing-in-spirii"]').first();
    expect(await missing.locator('td').first().textContent()).toBe('Mangler i Spirii');
    expect(await missing.locator('td').last().textContent()).toBe('Ikke sendt endnu (venter i køen)');
    const notHere = page.locator('[data-testid="reconcile-differences"] tr[data-kind="not-enrolled-here"]').first();
    expect(await notHere.locator('td').last().textContent()).toMatch(/^I Spirii som token \d+ for kunde 10\d\d, men ikke tilmeldt ved denne skranke$/);
    await app.screenshot('files-danish', { fullPage: true });

    station.preferences.update({ locale: 'en' });
    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  }, 60_000);
});
