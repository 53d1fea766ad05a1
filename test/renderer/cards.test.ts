/**
 * The Cards screen in real Chromium against the real core, through the reader path: identify a
 * tapped card online and offline (the sandbox on loopback, closed to make the desk offline), an
 * unknown card handed to Enroll and queued only when confirmed there, and the handover list as a
 * page and as a PDF. The PDF is printed the way the app prints it (the host's printToPdf), here
 * by Chromium's page.pdf() on the same page, and rendered to PNG with pdftoppm to be looked at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, SCREENSHOTS, type App } from '../support/app-harness';
import { ScriptedDialogs } from '../io/support';
import { axeViolations } from '../support/axe';

const API_KEY = 'cards-test-key';
const KNOWN = '04A224B2C35D80';

describe('Cards screen', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let sandbox: Sandbox | null = null;
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    sandbox = await startSandbox({ apiKey: API_KEY, host: '127.0.0.1', rateLimit: false });
    let printPage: Page | null = null;
    app = await openApp({
      station: { api: { baseUrl: sandbox.url, apiKey: API_KEY }, readers: { simulated: true, pcsc: false }, dialogs },
      // The app's shell prints with Electron's webContents.printToPDF; Chromium's own PDF stands in for it here.
      host: { printToPdf: () => printPage!.pdf({ format: 'A4', printBackground: true, margin: { top: '15mm', bottom: '15mm', left: '15mm', right: '15mm' } }) },
      page: { viewport: { width: 1280, height: 900 }, colorScheme: 'light', locale: 'en-GB' },
      beforeBridge: async (s) => {
        s.preferences.update({ operatorName: 'Mette Holm', locale: 'en' });
        await s.customers.search('Acme');
        s.session.restart();
        s.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS', labelPrefix: 'DK.ACME.', labelNext: 2, expiresAt: '2028-06-30T21:59:59.000Z' });
        s.enrollment.tap(KNOWN, 'cli', { label: 'DK.ACME.0001', customerId: 1001 });
        await s.sync.settle(20_000);
      },
    });
    ({ station, bridge, page, watcher } = app);
    printPage = page;
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('identifies a tapped card online, queueing nothing; an unknown card is enrolled only when confirmed on Enroll', async () => {
    await page.goto(`${bridge.url}#/cards`);
    await page.getByTestId('identify-mode').getByText('Identify mode').waitFor();
    await expect.poll(() => station.taps.mode).toBe('identify');
    const before = station.queue.list().length;

    // A tap through the reader path (the simulated reader stands in for a PC/SC one).
    station.simulated!.present(KNOWN);
    const report = page.locator('[data-testid="card-report"][data-source="live"]');
    await report.waitFor();
    expect(await report.getByRole('heading', { level: 2 }).textContent()).toContain(`Card ${KNOWN}`);
    const spirii = report.getByTestId('card-spirii');
    expect(await spirii.textContent()).toContain('Acme Fleet ApS');
    expect(await spirii.textContent()).toContain('DK.ACME.0001');
    expect(await report.getByTestId('card-source').textContent()).toBe('Checked with Spirii just now.');
    expect(await report.getByTestId('card-queue').textContent()).toContain('Synced');
    expect(await report.getByTestId('card-audit').textContent()).toMatch(/Enrollment · Mette Holm/);
    expect(station.queue.list().length).toBe(before);
    expect(station.readerDesk.status().lastCard).toMatchObject({ uid: KNOWN, outcome: 'identified' });
    await app.screenshot('cards-identify-online');
    expect(await axeViolations(page)).toEqual([]);

    // Its printed label, typed or scanned into the field, finds the same card.
    await page.getByLabel('UID or label').fill('dk.acme.0001');
    await page.getByLabel('UID or label').press('Enter');
    const byLabel = page.locator('[data-testid="card-report"][data-source="live"][data-by="label"]');
    await byLabel.waitFor();
    expect(await byLabel.getByRole('heading', { level: 2 }).textContent()).toContain(`Card ${KNOWN}`);
    expect(station.queue.list().length).toBe(before);

    // The simulated button: a made-up card, unknown; Enroll it… opens Enroll with the card ready.
    await page.getByRole('button', { name: /Simulate tap/ }).click();
    const unknown = page.locator('[data-testid="card-report"][data-known="false"][data-source="live"]');
    await unknown.waitFor();
    const uid = (await unknown.getByRole('heading', { level: 2 }).textContent())!.match(/[0-9A-F]{14}/)![0];
    expect(station.queue.findByUid(uid)).toBeUndefined();
    await unknown.getByRole('button', { name: 'Enroll it…' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/enroll');
    await expect.poll(() => station.taps.mode).toBe('enroll');
    const ready = page.getByTestId('ready-to-enroll');
    expect(await ready.textContent()).toContain(`Card ${uid}, unknown when identified, is ready to enroll for Acme Fleet ApS (1001) with label DK.ACME.0002.`);
    expect(station.queue.findByUid(uid)).toBeUndefined();
    await ready.getByRole('button', { name: 'Enroll this card' }).click();
    await expect.poll(() => station.queue.findByUid(uid)?.label).toBe('DK.ACME.0002');
    await page.locator('[data-testid="last-tap"][data-status="queued"]').waitFor();
    expect(station.audit.about(uid).map((e) => e.action)).toEqual(['enroll']);

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it('identifies a tapped card offline from what the desk last saw, saying how old it is', async () => {
    await page.goto(`${bridge.url}#/cards`);
    await page.getByTestId('identify-mode').getByText('Identify mode').waitFor();
    await expect.poll(() => station.taps.mode).toBe('identify');
    await sandbox!.close();
    sandbox = null;
    const before = station.queue.list().length;

    station.simulated!.present(KNOWN);
    const report = page.locator('[data-testid="card-report"][data-source="seen"]');
    await report.waitFor();
    expect(await report.getByTestId('card-source').textContent()).toMatch(/^As this desk last saw it in Spirii, less than a minute ago \(\d\d\/\d\d\/\d{4}, \d\d:\d\d\)\.$/);
    expect(await report.getByTestId('card-problem').textContent()).toMatch(/^Spirii cannot be reached now: (Cannot reach|Connection to) 127\.0\.0\.1:\d+/);
    expect(await report.getByTestId('card-spirii').textContent()).toContain('Acme Fleet ApS');
    expect(station.queue.list().length).toBe(before);
    await app.screenshot('cards-identify-offline');

    // The desk's size (800x560), then at 200% zoom (the same window, CSS pixels halved).
    await page.setViewportSize({ width: 800, height: 560 });
    await app.screenshot('cards-identify-offline-800');
    const zoomed = await app.browser.newPage({ viewport: { width: 400, height: 280 }, deviceScaleFactor: 2 });
    await zoomed.goto(`${bridge.url}#/cards`);
    await zoomed.getByLabel('UID or label').fill(KNOWN);
    await zoomed.getByLabel('UID or label').press('Enter');
    await zoomed.locator('[data-testid="card-report"][data-source="seen"]').waitFor();
    await zoomed.screenshot({ path: path.join(SCREENSHOTS, 'cards-identify-offline-zoom200.png'), animations: 'disabled' });
    // Scrolled to the Spirii part.
    await zoomed.getByTestId('card-spirii').scrollIntoViewIfNeeded();
    await zoomed.screenshot({ path: path.join(SCREENSHOTS, 'cards-identify-offline-zoom200-spirii.png'), animations: 'disabled' });
    await zoomed.close();
    await page.setViewportSize({ width: 1280, height: 900 });

    // In Danish: the same card, the age and the reason in the window's language.
    station.preferences.update({ locale: 'da' });
    await page.reload();
    await page.getByTestId('identify-mode').getByText('Identificeringstilstand').waitFor();
    station.simulated!.present(KNOWN);
    const da = page.locator('[data-testid="card-report"][data-source="seen"]');
    await da.getByText(/^Som denne skranke sidst så det i Spirii, for under et minut siden/).waitFor();
    expect(await da.getByTestId('card-problem').textContent()).toMatch(/^Spirii kan ikke nås nu: .*127\.0\.0\.1/);
    expect(await da.getByTestId('card-problem').textContent()).not.toMatch(/Cannot reach|Connection to|working offline/);
    expect(await da.getByTestId('card-spirii').textContent()).toMatch(/Kunde.*Acme Fleet ApS.*Aktiv.*Ja.*Gyldig/);
    await app.screenshot('cards-identify-offline-da');
    station.preferences.update({ locale: 'en' });
    await page.reload();

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it('shows the session’s handover list in English and Danish and saves it as a PDF', async () => {
    // A third card, enrolled while Spirii is unreachable: on the list, not yet valid.
    expect(station.enrollment.tap('04C446D4E57FA2', 'cli', { label: 'DK.ACME.0003', customerId: 1001 })).toMatchObject({ status: 'queued' });
    await page.goto(`${bridge.url}#/cards`);
    await page.getByRole('tab', { name: 'Handover list' }).click();
    await expect.poll(() => station.taps.mode).toBe('enroll'); // the Identify tab is gone: taps enroll again
    const sheet = page.getByTestId('handover-sheet');
    await sheet.getByRole('heading', { name: 'Handover list' }).waitFor();
    expect(await sheet.getByTestId('handover-customer').textContent()).toBe('Acme Fleet ApS (1001)');
    expect(await sheet.getByTestId('handover-operator').textContent()).toBe('Mette Holm');
    const rows = sheet.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual(['1', 'DK.ACME.0001', KNOWN, expect.stringMatching(/^\d\d\/\d\d\/\d{4}$/), '30/06/2028', 'Active']);
    expect(await rows.nth(1).locator('td').allTextContents()).toEqual(['2', 'DK.ACME.0002', expect.stringMatching(/^[0-9A-F]{14}$/), expect.any(String), '30/06/2028', 'Active']);
    expect(await rows.nth(2).locator('td').allTextContents()).toEqual(['3', 'DK.ACME.0003', '04C446D4E57FA2', expect.any(String), '30/06/2028', 'Active once sent to Spirii']);
    await app.screenshot('cards-handover-en');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Language of the list').selectOption('da');
    await sheet.getByRole('heading', { name: 'Udleveringsliste' }).waitFor();
    expect(await sheet.locator('thead').textContent()).toMatch(/Etiket.*UID.*Gyldig fra.*Gyldig til.*Status/);
    expect(await rows.nth(1).locator('td').nth(4).textContent()).toBe('30.06.2028');
    expect(await sheet.textContent()).toContain('Udleveret af');

    const target = path.join(app.dir, 'handover.pdf');
    dialogs.answer(target);
    await page.getByRole('button', { name: 'Save as PDF…' }).click();
    await page.getByText('Saved handover.pdf.').waitFor();
    expect(dialogs.asked.at(-1)).toMatchObject({ kind: 'save', defaultName: expect.stringMatching(/^token-station-handover-session-\d{4}-\d\d-\d\d\.pdf$/) });
    const pdf = readFileSync(target);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(station.audit.list({ actions: ['export'] })[0]).toMatchObject({ subject: 'handover.pdf', details: { call: 'export.handover', kind: 'session', rows: 3 } });

    // Rendered to PNG to be looked at; its text is the sheet alone (no navigation, no buttons).
    const png = path.join(SCREENSHOTS, 'cards-handover-pdf');
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', target, png]);
    expect(existsSync(`${png}.png`)).toBe(true);
    const text = execFileSync('pdftotext', ['-layout', target, '-'], { encoding: 'utf8' });
    expect(text).toContain('Udleveringsliste');
    expect(text).toContain('Acme Fleet ApS (1001)');
    expect(text).toContain('Mette Holm');
    expect(text).toContain(KNOWN);
    expect(text).not.toMatch(/Gem som PDF|Skærme|Screens|Built-in sandbox/);

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
