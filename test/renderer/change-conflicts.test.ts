/**
 * A queued change in conflict, chosen for in the window, in real Chromium against the real core:
 * the clerk reads the Tokens list, Spirii changes two of its tokens behind the desk's back, the
 * clerk's bulk change to both then finds them changed. The panel lists each with its card, the
 * field, the clerk's value and Spirii's (with when Spirii changed it); "Apply mine anyway" sends
 * one PATCH, "Keep Spirii's" none. A proxy in front of the sandbox counts the PATCHes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { SpiriiToken } from '../../electron/core/token';
import type { Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { inEachDeskWindow, openCountedDesk, SCREENSHOTS, type CountedDesk } from '../support/app-harness';
import type { CountingProxy } from '../support/counting-proxy';

const API_KEY = 'change-conflicts-key';

describe('a change in conflict, chosen in the window', () => {
  let app: CountedDesk, station: Station, bridge: Bridge, page: Page;
  let sandbox: Sandbox, proxy: CountingProxy, seeded: SpiriiToken[];

  beforeAll(async () => {
    app = await openCountedDesk({ apiKey: API_KEY, tokens: 6 });
    ({ station, bridge, page, sandbox, proxy, seeded } = app);
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows both versions and sends exactly what the clerk chose', async () => {
    // The RFID cards only (labelled DK.SEED.…), newest first: seeded tokens 5, 2, 1, 0.
    const [mine, theirs] = [seeded[5]!, seeded[2]!];
    await page.goto(bridge.url + '#/tokens');
    await page.getByLabel('Search').fill('DK.SEED');
    await expect.poll(() => page.getByTestId('token-count').textContent()).toBe('4 tokens');
    await page.locator('[data-row-index="0"] [data-testid="pick"]').click();
    await page.locator('[data-row-index="1"] [data-testid="pick"]').click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('bulk-count').textContent()).toBe('2 tokens selected');

    // Behind the desk's back, after it read the list.
    const changedA = sandbox.changeToken(mine.id, { comment: 'Lost, says HQ' });
    const changedB = sandbox.changeToken(theirs.id, { comment: 'Spare card' });

    await page.locator('#bulk-kind').selectOption('comment');
    await page.locator('#bulk-text').fill('Handed to driver');
    await page.getByTestId('bulk-review').click();
    await page.getByTestId('bulk-confirm').click();

    const conflicts = page.getByTestId('change-conflict');
    await expect.poll(() => conflicts.count(), { timeout: 20_000 }).toBe(2);
    expect(proxy.patchesPerToken().size).toBe(0);
    const a = conflicts.filter({ hasText: mine.identifier.label! });
    const b = conflicts.filter({ hasText: theirs.identifier.label! });
    await expect.poll(() => a.textContent()).toContain(mine.identifier.uid!);
    expect(await a.textContent()).toContain('Øresund Delebiler AB');
    expect(await b.textContent()).toContain('Fjordhavn Kommune');
    expect(await a.getByTestId('conflict-mine').textContent()).toContain('Comment: Handed to driver');
    expect(await a.getByTestId('conflict-spirii').textContent()).toContain('Comment: Lost, says HQ');
    expect(await b.getByTestId('conflict-spirii').textContent()).toContain('Comment: Spare card');
    expect(await a.getByTestId('conflict-spirii').locator('time').getAttribute('datetime')).toBe(changedA.updatedAt);
    expect(await b.getByTestId('conflict-spirii').locator('time').getAttribute('datetime')).toBe(changedB.updatedAt);
    await app.screenshot('change-conflicts');

    await a.getByRole('button', { name: 'Apply mine anyway' }).click();
    await b.getByRole('button', { name: "Keep Spirii's" }).click();
    await expect.poll(() => conflicts.count()).toBe(0);
    await expect
      .poll(() => station.changes.list({ limit: 10 }).map((c) => [c.spiriiId, c.state]).sort(), { timeout: 20_000 })
      .toEqual([
        [theirs.id, 'discarded'],
        [mine.id, 'synced'],
      ].sort());
    const patches = proxy.patchesPerToken();
    expect(patches.get(mine.id)).toBe(1);
    expect(patches.has(theirs.id)).toBe(false);
    const now = new Map(sandbox.tokens().map((t) => [t.id, t]));
    expect(now.get(mine.id)!.comment).toBe('Handed to driver');
    expect(now.get(theirs.id)!.comment).toBe('Spare card');
    // Each choice is in the audit trail, with the token it was made for.
    const choices = station.audit.list({ actions: ['change'] }).filter((e) => e.details.step === 'apply-mine' || e.details.step === 'keep-spirii');
    expect(choices.map((e) => [e.details.step, e.details.spiriiId]).sort()).toEqual(
      [
        ['apply-mine', mine.id],
        ['keep-spirii', theirs.id],
      ].sort(),
    );
    expect(bridge.failures).toEqual([]);
  }, 60_000);

  it('fits the desk’s window (800x560) and 200% zoom, in English and Danish', async () => {
    const token = seeded[1]!;
    sandbox.changeToken(token.id, { comment: 'Replaced by HQ' });
    const { changes } = station.changes.queueChanges({ comment: 'Blocked at the desk' }, [{ spiriiId: token.id, uid: token.identifier.uid!, label: token.identifier.label!, basedOn: token.updatedAt }], 'window');
    await expect.poll(() => station.changes.get(changes[0]!.id)!.state, { timeout: 20_000 }).toBe('conflict');
    await inEachDeskWindow(app, async (small, locale, name) => {
      await small.goto(bridge.url + '#/queue');
      const conflict = small.getByTestId('change-conflict').first();
      await conflict.waitFor();
      await conflict.scrollIntoViewIfNeeded();
      await small.screenshot({ path: path.join(SCREENSHOTS, `change-conflict-${locale}-${name}.png`), animations: 'disabled' });
    });
  }, 60_000);
});
