/**
 * The Queue screen in real Chromium against the real core (built-in sandbox, WebSocket bridge, the
 * built renderer under its CSP): held tokens, edit, discard with confirmation, release, retry, and
 * the counts and sync status, as the desk uses them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

describe('Queue screen', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { simulated: true, pcsc: false }, sync: { serverMarginMs: 0 } },
      beforeBridge: (station) => station.syncSettings.update({ holdMinutes: 60 }),
      page: { viewport: { width: 1360, height: 900 }, colorScheme: 'light' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  const row = (uid: string) => page.locator(`tr[data-uid="${uid}"]`);
  const stateOf = (uid: string) => row(uid).getAttribute('data-state');

  it('edits, discards with confirmation, releases and retries tokens, with counts and status', async () => {
    const uids = ['04A00001', '04A00002', '04A00003', '04A00004', '04A00005'];
    for (const [i, uid] of uids.entries()) {
      const outcome = station.enrollment.tap(uid, 'test', { customerId: i === 4 ? 999_999 : 1001, label: `Q-${i + 1}` });
      expect(outcome.status).toBe('queued');
    }

    await page.goto(bridge.url.replace('index.html?', 'index.html?') + '#/queue');
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
    for (const uid of uids) await row(uid).waitFor();
    expect(await Promise.all(uids.map(stateOf))).toEqual(Array(5).fill('held'));
    await expect.poll(() => page.locator('[data-filter="held"] .chip-n').textContent()).toBe('5');
    expect(await row(uids[0]!).textContent()).toMatch(/Held until \d\d:\d\d/);
    await expect.poll(() => page.getByTestId('queue-sync-status').textContent()).toMatch(/Online.*Up to date · 5 held, first release in (59|60) min/);
    await app.screenshot('queue-held');
    // The header counts them, and so does the Session summary.
    const counts = page.getByTestId('counts');
    await expect.poll(() => counts.locator('[data-count="held"]').textContent()).toMatch(/^\s*5\s+held\s*$/);
    expect(await counts.locator('[data-count="pending"] .n').textContent()).toBe('0');
    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Session summary' }).waitFor();
    await expect.poll(() => page.getByTestId('outcomes').locator('[data-outcome="held"] .n').textContent()).toBe('5');
    expect(await page.getByTestId('outcomes').locator('[data-outcome="held"]').textContent()).toContain('Held (hold period)');
    await app.screenshot('session-held');
    await page.keyboard.press('Alt+2');
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();

    // Edit: only local, so it can be changed.
    await page.getByRole('button', { name: `Edit ${uids[0]}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit token ${uids[0]}` });
    await edit.waitFor();
    await edit.getByRole('textbox', { name: 'Label' }).fill('Q-1-FIXED');
    await edit.getByRole('textbox', { name: 'Comment' }).fill('relabelled at the desk');
    await app.screenshot('queue-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await expect.poll(() => row(uids[0]!).locator('td').nth(2).textContent()).toBe('Q-1-FIXED');
    expect(station.queue.findByUid(uids[0]!)).toMatchObject({ state: 'held', label: 'Q-1-FIXED', comment: 'relabelled at the desk' });

    // Discard asks first; "Keep it" keeps it.
    await page.getByRole('button', { name: `Discard ${uids[1]}` }).click();
    const confirm = page.getByRole('dialog', { name: `Discard token ${uids[1]}?` });
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/will not be sent to Spirii/);
    await app.screenshot('queue-discard-confirm');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(station.queue.findByUid(uids[1]!)?.state).toBe('held');
    await page.getByRole('button', { name: `Discard ${uids[1]}` }).click();
    await confirm.getByRole('button', { name: 'Discard token' }).click();
    await row(uids[1]!).waitFor({ state: 'detached' });
    expect(station.queue.list({ states: ['discarded'] }).map((t) => t.uid)).toEqual([uids[1]]);
    await page.getByTestId('queue-message').getByText(`${uids[1]} discarded: it will not be sent.`).waitFor();

    // Release one: it is sent at once and synced; the others stay held.
    await page.getByRole('button', { name: `Release ${uids[2]}` }).click();
    await expect.poll(() => stateOf(uids[2]!), { timeout: 10_000 }).toBe('synced');
    expect(await stateOf(uids[3]!)).toBe('held');
    expect(await row(uids[2]!).getByRole('button').count()).toBe(0); // synced: no edit, no discard

    // Release all: the one for an unknown customer comes back rejected, with Spirii's words.
    await page.getByRole('button', { name: /Release all held \(3\)/ }).click();
    await expect.poll(() => stateOf(uids[4]!), { timeout: 10_000 }).toBe('rejected');
    await expect.poll(() => stateOf(uids[0]!), { timeout: 10_000 }).toBe('synced');
    // In the desk's words (the field and what to do), Spirii's own text kept beside it for IT.
    expect(await row(uids[4]!).textContent()).toMatch(/Spirii has no customer 999999: choose the right customer in Edit\. \(Spirii: .*customer 999999 not found\)/);
    await expect.poll(() => page.locator('[data-filter="rejected"] .chip-n').textContent()).toBe('1');

    // Retry would be refused again, so it is not offered: Edit is. Edit covers every field a token
    // is sent with, the expiry too.
    expect(await page.getByRole('button', { name: `Retry ${uids[4]}` }).count()).toBe(0);
    await page.getByRole('button', { name: `Edit ${uids[4]}` }).click();
    const fix = page.getByRole('dialog', { name: `Edit token ${uids[4]}` });
    await fix.getByRole('textbox', { name: 'Customer number' }).fill('1002');
    await fix.getByLabel('Expires').fill('2030-12-31');
    await fix.getByRole('checkbox', { name: 'Roaming' }).uncheck();
    await fix.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => stateOf(uids[4]!), { timeout: 10_000 }).toBe('synced');

    // Filters: the discarded one is still there as history.
    await page.getByRole('button', { name: /^Discarded/ }).click();
    await row(uids[1]!).waitFor();
    expect(await page.locator('tbody tr[data-uid]').count()).toBe(1);
    await page.getByRole('button', { name: /^All/ }).click();
    await expect.poll(() => page.locator('tbody tr[data-uid]').count()).toBe(4);
    await expect.poll(() => page.getByTestId('queue-sync-status').textContent()).toMatch(/Online.*Up to date/);
    // None held any more: the header shows no held count at all.
    expect(await counts.locator('[data-count="held"]').count()).toBe(0);
    await app.screenshot('queue-after');

    // Spirii (the sandbox) holds exactly the four, with the edits.
    const stored = station.sandbox!.tokens();
    expect(stored.map((t) => t.identifier.uid).sort()).toEqual([uids[0], uids[2], uids[3], uids[4]]);
    expect(stored.find((t) => t.identifier.uid === uids[0])).toMatchObject({ identifier: { label: 'Q-1-FIXED' }, comment: 'relabelled at the desk' });
    expect(stored.find((t) => t.identifier.uid === uids[4])).toMatchObject({ customerId: 1002, expiresAt: '2030-12-31T00:00:00.000Z', roamingEnabled: false });

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it('fits an 800×560 window: the actions and filters stay on screen, and only the table scrolls sideways', async () => {
    // Held rows are the widest: a hold time and three actions each.
    for (const uid of ['04A00006', '04A00007']) expect(station.enrollment.tap(uid, 'test', { customerId: 1001, label: 'Q-WIDE' + uid.slice(-1) }).status).toBe('queued');
    await page.setViewportSize({ width: 800, height: 560 });
    await page.goto(bridge.url + '#/queue');
    await row('04A00007').waitFor();
    const layout = await page.evaluate(() => {
      const main = document.getElementById('main')!;
      const right = (name: string) => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)!.getBoundingClientRect().right;
      return {
        mainScrollsSideways: main.scrollWidth > main.clientWidth + 1,
        syncNowRight: right('Sync now'),
        searchRight: document.querySelector('input[type="search"]')!.getBoundingClientRect().right,
        width: main.clientWidth,
      };
    });
    await app.screenshot('queue-800x560');
    expect(layout.mainScrollsSideways).toBe(false);
    expect(layout.syncNowRight).toBeLessThanOrEqual(layout.width);
    expect(layout.searchRight).toBeLessThanOrEqual(layout.width);
  });
});
