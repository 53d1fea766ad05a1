/**
 * Bulk changes on the Tokens screen, in real Chromium against the real core and a sandbox that
 * enforces a write limit: rows picked by click, shift-click, ctrl-click, Space and "all N
 * matching" (ids from the core, never every page in the window), one deactivation of 200 tokens
 * confirmed with its count and a sample, queued, its progress shown (and still shown after a
 * reload and on the Queue screen), paused, resumed and cancelled. A proxy in front of the sandbox
 * counts the PATCHes: the cancelled tokens were never sent, the sent ones deactivated once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { SpiriiToken } from '../../electron/core/token';
import type { Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { inEachDeskWindow, openCountedDesk, SCREENSHOTS, type App, type CountedDesk } from '../support/app-harness';
import type { CountingProxy } from '../support/counting-proxy';

const API_KEY = 'bulk-changes-key';
const COUNT = 1200;
/** Customer 1002 holds every sixth seeded token: 200 of 1,200. */
const FLEET = 1002;

describe('bulk changes on the Tokens screen', () => {
  let app: CountedDesk, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let sandbox: Sandbox, proxy: CountingProxy, seeded: SpiriiToken[];

  const count = () => page.getByTestId('token-count').textContent();
  const picked = () => page.getByTestId('bulk-count').textContent();
  const pick = (index: number, modifiers?: ('Shift' | 'Control')[]) =>
    page.locator(`[data-row-index="${index}"] [data-testid="pick"]`).click({ modifiers });
  /** The window's own page fetches (500 a page), as opposed to the core's selection (1,000 a page). */
  const windowPages = () => proxy.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v2/tokens?') && r.path.includes('limit=500')).length;

  beforeAll(async () => {
    // A write limit low enough that 200 PATCHes cannot all go before the test pauses and cancels.
    app = await openCountedDesk({ apiKey: API_KEY, tokens: COUNT, rateLimit: { writesPerMinute: 60, readsPerMinute: 100_000 } });
    ({ station, bridge, page, watcher, sandbox, proxy, seeded } = app);
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('picks rows by click, shift-click, ctrl-click, Space and all matching, with a count', async () => {
    await page.goto(bridge.url + '#/tokens');
    await expect.poll(count).toBe('1,200 tokens');
    await pick(0);
    await expect.poll(picked).toBe('1 token selected');
    await pick(4, ['Shift']);
    await expect.poll(picked).toBe('5 tokens selected');
    // Ctrl-click on the row (not its box) takes one row out, without opening it.
    await page.locator('[data-row-index="2"] [role="gridcell"]').first().click({ modifiers: ['Control'] });
    await expect.poll(picked).toBe('4 tokens selected');
    expect(await page.getByTestId('token-detail').count()).toBe(0);
    expect(await page.locator('[data-row-index="2"]').getAttribute('aria-selected')).toBe('false');
    expect(await page.locator('[data-row-index="3"]').getAttribute('aria-selected')).toBe('true');
    // Keyboard: Space picks the active row, Shift+Down extends.
    await page.getByTestId('token-grid').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Space');
    await expect.poll(picked).toBe('5 tokens selected');
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    await expect.poll(picked).toBe('4 tokens selected');

    // All 1,200 matching: the core gives the ids; the window fetches no page beyond those on screen.
    const pagesBefore = windowPages();
    await page.getByTestId('select-all').click();
    await expect.poll(picked).toBe('All 1,200 matching the filters');
    expect(windowPages()).toBe(pagesBefore);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await expect.poll(picked).toBe('0 tokens selected');

    // A shift-click over rows the window has not fetched (the core gives that range's ids).
    await pick(0);
    await page.getByTestId('token-grid').evaluate((grid) => (grid.scrollTop = 1100 * 36));
    await page.locator('[data-row-index="1100"] [data-testid="pick"]').waitFor();
    await page.locator('[data-row-index="1100"] [data-testid="pick"]').click({ modifiers: ['Shift'] });
    await expect.poll(picked).toBe('1,101 tokens selected');
    // A new filter starts with nothing picked.
    await page.getByLabel('Search').fill('SEED.0000');
    await expect.poll(picked).toBe('0 tokens selected');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(count).toBe('1,200 tokens');
  });

  it('deactivates 200 tokens at the write limit, with progress, pause and cancel of what was not sent', async () => {
    const fleet = seeded.filter((t) => t.customerId === FLEET);
    expect(fleet).toHaveLength(200);
    await page.getByRole('combobox', { name: 'Customer' }).fill('Nordlys');
    await page.getByRole('option', { name: /Nordlys Taxi/ }).click();
    await expect.poll(count).toBe('200 tokens');
    await page.getByTestId('select-all').click();
    await expect.poll(picked).toBe('All 200 matching the filters');
    await page.locator('#bulk-kind').selectOption('deactivate');
    await page.getByTestId('bulk-review').click();
    const dialog = page.getByTestId('confirm-bulk');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe('Change 200 tokens?');
    expect(await dialog.getByTestId('bulk-what').textContent()).toBe('Deactivate');
    const newest = [...fleet].reverse().slice(0, 5);
    const rows = await dialog.locator('tbody tr').allTextContents();
    expect(rows).toEqual(newest.map((t) => `${t.identifier.label ?? '—'}${t.identifier.uid ?? t.identifier.appUserId}${FLEET} Nordlys Taxi A/S`));
    await dialog.getByText('… and 195 more.').waitFor();
    await app.screenshot('bulk-confirm');
    // Cancel queues nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('change-batch').count()).toBe(0);
    expect(proxy.patchesPerToken().size).toBe(0);

    await page.getByTestId('bulk-review').click();
    await dialog.getByTestId('bulk-confirm').click();
    await dialog.waitFor({ state: 'hidden' });
    const batch = page.getByTestId('change-batch').first();
    await batch.waitFor();
    // Progress as it goes, with the estimate of the time left.
    await expect.poll(async () => Number((await batch.getByTestId('change-progress').textContent())!.split(' ')[0]), { timeout: 20_000 }).toBeGreaterThan(0);
    await batch.getByTestId('change-eta').waitFor();
    await app.screenshot('bulk-progress');

    // A reload shows the same batch: its state is the core's.
    await page.reload();
    await page.getByTestId('change-batch').first().waitFor();
    // The filters are the window's own: a reload starts from the whole list.
    await expect.poll(count).toBe('1,200 tokens');
    const afterReload = { requests: proxy.requests.length, pages: windowPages() };
    await page.getByTestId('change-batch').first().getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('change-batch').first().getAttribute('data-state')).toBe('paused');
    // Paused: nothing more is sent (a PATCH already on its way settles first).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whilePaused = patchedCount();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(patchedCount()).toBe(whilePaused);
    await page.getByTestId('change-batch').first().getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('change-batch').first().getAttribute('data-state')).not.toBe('paused');

    // Cancel what has not been sent.
    await page.getByTestId('change-batch').first().getByRole('button', { name: 'Cancel…' }).click();
    await page.getByTestId('change-batch').first().getByRole('button', { name: 'Cancel them' }).click();
    await expect.poll(() => page.getByTestId('change-batch').first().getAttribute('data-state')).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterCancel = patchedCount();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(patchedCount()).toBe(afterCancel);

    // In the sandbox: the cancelled ones never sent and as they were; the done ones inactive, each
    // active one by exactly one PATCH (one already inactive needs none: the core reads it first).
    const patches = proxy.patchesPerToken();
    const changes = station.changes.list({ limit: 1000 });
    const cancelled = new Set(changes.filter((c) => c.state === 'discarded').map((c) => c.spiriiId));
    const done = new Set(changes.filter((c) => c.state === 'synced').map((c) => c.spiriiId));
    expect(cancelled.size + done.size).toBe(200);
    expect(done.size).toBeGreaterThan(0);
    expect(cancelled.size).toBeGreaterThan(0);
    const fleetIds = new Set(fleet.map((t) => t.id));
    expect([...patches.keys()].every((id) => fleetIds.has(id) && done.has(id))).toBe(true);
    expect([...patches.values()].every((n) => n === 1)).toBe(true);
    const inSandbox = new Map(sandbox.tokens().map((t) => [t.id, t]));
    for (const token of fleet) {
      const now = inSandbox.get(token.id)!;
      if (cancelled.has(token.id)) {
        expect(patches.has(token.id), `cancelled token ${token.id} was sent`).toBe(false);
        expect(now.isActive).toBe(token.isActive);
      } else {
        expect(now.isActive, `token ${token.id}`).toBe(false);
        expect(patches.get(token.id) ?? 0, `PATCHes of token ${token.id}`).toBe(token.isActive ? 1 : 0);
      }
    }
    // A token deactivated after the list was fetched shows it without the list being fetched again.
    const latePatch = proxy.requests.slice(afterReload.requests).find((r) => r.method === 'PATCH' && r.status === 200)!;
    const lateId = Number(/\/v2\/tokens\/(\d+)/.exec(latePatch.path)![1]);
    const lateIndex = [...seeded].reverse().findIndex((t) => t.id === lateId);
    await page.getByTestId('token-grid').evaluate((grid, index) => (grid.scrollTop = index * 36), lateIndex);
    const lateRow = page.locator(`[data-row-index="${lateIndex}"] [role="gridcell"]`);
    await expect.poll(() => lateRow.first().textContent()).toBe(String(lateId));
    await expect.poll(() => lateRow.nth(5).textContent()).toBe('No');
    expect(windowPages()).toBe(afterReload.pages);

    const panel = page.getByTestId('change-batch').first();
    expect(await panel.getByTestId('change-progress').textContent()).toBe(`${done.size} of 200 done`);
    expect(await panel.getByTestId('change-cancelled').textContent()).toBe(`${cancelled.size} cancelled`);

    // The Queue screen shows the batch too.
    await page.goto(bridge.url + '#/queue');
    const onQueue = page.getByTestId('changes-panel').getByTestId('change-batch').first();
    await onQueue.waitFor();
    expect(await onQueue.getAttribute('data-state')).toBe('cancelled');
    expect(await onQueue.getByTestId('change-progress').textContent()).toBe(`${done.size} of 200 done`);
    await app.screenshot('bulk-queue-screen');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);

    function patchedCount() {
      return [...proxy.patchesPerToken().values()].reduce((a, b) => a + b, 0);
    }
  }, 60_000);

  it('fits the desk’s window (800x560) and 200% zoom, in English and Danish', async () => {
    await inEachDeskWindow(app, async (small, locale, name) => {
      await small.goto(bridge.url + '#/tokens');
      await small.getByTestId('token-count').filter({ hasText: /\d/ }).waitFor();
      await small.locator('[data-row-index="0"] [data-testid="pick"]').click();
      await small.locator('[data-row-index="2"] [data-testid="pick"]').click({ modifiers: ['Shift'] });
      await small.getByTestId('bulk-bar').scrollIntoViewIfNeeded();
      await small.screenshot({ path: path.join(SCREENSHOTS, `bulk-bar-${locale}-${name}.png`), animations: 'disabled' });
      await small.locator('#bulk-kind').selectOption('deactivate');
      await small.getByTestId('bulk-review').click();
      await small.getByTestId('confirm-bulk').waitFor();
      await small.screenshot({ path: path.join(SCREENSHOTS, `bulk-confirm-${locale}-${name}.png`), animations: 'disabled' });
      await small.getByTestId('confirm-bulk').getByRole('button').first().click();
      await small.goto(bridge.url + '#/queue');
      await small.getByTestId('changes-panel').getByTestId('change-batch').first().waitFor();
      await small.getByTestId('changes-panel').scrollIntoViewIfNeeded();
      await small.screenshot({ path: path.join(SCREENSHOTS, `bulk-queue-${locale}-${name}.png`), animations: 'disabled' });
    });
  }, 90_000);
});
