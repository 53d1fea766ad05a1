/**
 * Counts in the window's grammar (Intl.PluralRules through lib/format pluralForm), in real Chromium
 * against the real core, English and Danish: the header's counts ("1 afvist", "2 afviste"), the
 * Queue's "1 token queued again" (no "token(s)") and the import summary ("1 row", "1 række").
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openOfficeDesk, type App } from '../support/app-harness';
import { ScriptedDialogs, writeFile } from '../io/support';

describe('Counts in the window’s grammar', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, dir: string, watcher: App['watcher'];
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    app = await openOfficeDesk(dialogs, { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-GB' });
    ({ station, bridge, page, dir, watcher } = app);
    page.setDefaultTimeout(8000);
  });
  afterAll(() => app?.close());
  // Each test starts in English, whatever the one before it left.
  beforeEach(() => station.preferences.update({ locale: null }));

  const setLocale = async (locale: 'da' | null) => {
    station.preferences.update({ locale });
    await page.reload();
  };
  const count = (name: string) => page.getByTestId('counts').locator(`[data-count="${name}"]`);
  const words = async (name: string) => (await count(name).textContent())!.trim().replace(/\s+/g, ' ');

  it('says the header counts and the Queue’s retry in the singular for one, in English and Danish', async () => {
    const ids = ['04B10001', '04B10002', '04B10003', '04B10004'].map((uid) => {
      const outcome = station.enrollment.tap(uid, 'test', { customerId: 1001, label: null });
      if (outcome.status !== 'queued') throw new Error(`not queued: ${outcome.status}`);
      return station.queue.findByUid(uid)!.id;
    });
    station.queue.markRejected([ids[0]!], 'refused for the test');
    station.queue.markInDoubt([ids[1]!], 'no answer for the test');

    await page.goto(bridge.url + '#/queue');
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
    await expect.poll(() => words('rejected')).toBe('1 rejected');
    expect(await words('in_doubt')).toBe('1 in doubt');

    await setLocale('da');
    await page.getByRole('heading', { name: 'Kø', exact: true }).waitFor();
    await expect.poll(() => words('rejected')).toBe('1 afvist');
    expect(await words('in_doubt')).toBe('1 uvis');
    expect(await words('synced')).toBe('0 synkroniserede');
    station.queue.markRejected([ids[2]!], 'refused for the test');
    await expect.poll(() => words('rejected')).toBe('2 afviste');
    await app.screenshot('header-counts-danish');

    // Retry all rejected, when there is one (the in-doubt one is looked up by a retry too: none here).
    station.queue.retry([ids[2]!]);
    station.queue.returnToPending([ids[1]!], null);
    await expect.poll(() => words('rejected')).toBe('1 afvist');
    expect(await words('in_doubt')).toBe('0 uvisse');
    await page.getByRole('button', { name: 'Prøv alle afviste igen (1)' }).click();
    await expect.poll(() => page.getByTestId('queue-message').textContent()).toBe('1 token sat i kø igen.');
    expect(await page.locator('main').textContent()).not.toContain('token(s)');

    await setLocale(null);
    station.queue.markRejected([ids[0]!], 'refused for the test');
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Retry all rejected (1)' }).click();
    await expect.poll(() => page.getByTestId('queue-message').textContent()).toBe('1 token queued again.');
  });

  it('says a one-row import as one row, in English and Danish', async () => {
    await page.goto(`${bridge.url}#/files`);
    dialogs.answer(writeFile(dir, 'one.csv', 'uid;label;customerId\r\n04B20001;ONE-1;1001\r\n'));
    await page.getByRole('button', { name: 'Choose CSV file…' }).click();
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByTestId('import-summary').textContent()).toBe('1 row: 1 to queue.');
    await page.getByRole('button', { name: 'Queue 1 card' }).click();
    await page.getByTestId('import-result').getByText('Queued 1 card from one.csv; 0 rows not queued.').waitFor();
    // The Enroll screen's session list counts its one card as one (a new session: the import is not in it).
    station.session.restart();
    station.enrollment.tap('04B30001', 'test', { customerId: 1001, label: null });
    await page.goto(`${bridge.url}#/enroll`);
    await page.reload();
    await page.getByText('1 card, newest first.').waitFor();

    await setLocale('da');
    await page.goto(`${bridge.url}#/files`);
    dialogs.answer(writeFile(dir, 'two.csv', 'uid;label;customerId\r\n04B20002;ONE-2;1001\r\n04B20001;ONE-1;1001\r\n'));
    await page.getByRole('button', { name: 'Vælg CSV-fil…' }).click();
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByTestId('import-summary').textContent()).toBe('2 rækker: 1 sættes i kø; ikke i kø: 1 allerede i køen.');
    await page.getByRole('button', { name: 'Sæt 1 kort i kø' }).click();
    await page.getByTestId('import-result').getByText('1 kort fra two.csv sat i kø; 1 række ikke sat i kø.').waitFor();
    await app.screenshot('import-one-row-danish');
    await setLocale(null);

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it('says one card as one in the hour chart, the session export and the handover list', async () => {
    station.session.restart();
    station.enrollment.tap('04B40001', 'test', { customerId: 1001, label: 'ONE-4' });
    await page.goto(`${bridge.url}#/summary`);
    await page.reload();
    const chart = page.getByTestId('hour-chart').locator('title');
    await expect.poll(() => chart.textContent()).toMatch(/^Cards enrolled per hour: \d\d:\d\d: 1 card$/);
    await page.getByText('1 token, with its state and Spirii id.').waitFor();

    await page.goto(`${bridge.url}#/cards`);
    await page.getByRole('tab', { name: 'Handover list' }).click();
    const sheet = page.getByTestId('handover-sheet');
    await expect.poll(() => sheet.getByTestId('handover-count').textContent()).toBe('This enrollment session · 1 card');
    // The import of one card, offered as a batch to hand over.
    await page.getByRole('radio', { name: 'An import' }).check();
    await expect.poll(() => page.locator('#handover-batch option').allTextContents()).toContain('one.csv · 1 card');
    expect(await page.locator('main').textContent()).not.toMatch(/\b1 (cards|tokens|rows)\b/);

    await setLocale('da');
    await page.goto(`${bridge.url}#/summary`);
    await expect.poll(() => page.getByTestId('hour-chart').locator('title').textContent()).toMatch(/^Kort tilmeldt pr\. time: \d\d[:.]\d\d: 1 kort$/);
    await page.getByText('1 token med status og Spirii-id.').waitFor();
    await setLocale(null);
    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
