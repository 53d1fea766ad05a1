/**
 * One queue, one set of counts: after taps, a release and sync, a refusal by Spirii, a discard and
 * an undo, the header, the Queue screen, the Session summary and the last-tap panel all say what
 * the core's queue holds. Real Chromium against the real core (built-in sandbox, WebSocket
 * bridge, the built renderer); the cards are the simulated reader's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

type Counts = { held: number; waiting: number; in_doubt: number; rejected: number; synced: number };

describe('the queue counts', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { simulated: true, pcsc: false }, sync: { serverMarginMs: 0 } },
      // Every tap is held until the desk releases it, so the test decides when Spirii hears of it.
      beforeBridge: (s) => {
        s.syncSettings.update({ holdMinutes: 60 });
        s.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS', labelPrefix: 'CNT-', labelNext: 1 });
      },
      page: { viewport: { width: 1360, height: 900 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
    page.setDefaultTimeout(10_000);
  });

  afterAll(() => app?.close());

  /** What the core's queue holds, in the buckets the screens show (pending and sending are both "waiting"). */
  const core = (): Counts => {
    const c = station.queue.counts();
    return { held: c.held, waiting: c.pending + c.sending, in_doubt: c.in_doubt, rejected: c.rejected, synced: c.synced };
  };
  const number = async (text: Promise<string | null>) => Number((await text)?.trim() ?? NaN);

  const header = async (): Promise<Counts> => {
    const counts = page.getByTestId('counts');
    const n = (key: string) => number(counts.locator(`[data-count="${key}"] .n`).textContent());
    // The held count is shown only while something is held.
    const held = (await counts.locator('[data-count="held"]').count()) === 0 ? 0 : await n('held');
    return { held, waiting: await n('pending'), in_doubt: await n('in_doubt'), rejected: await n('rejected'), synced: await n('synced') };
  };

  const queueScreen = async (): Promise<Counts & { all: number }> => {
    const chip = (filter: string) => number(page.locator(`[data-filter="${filter}"] .chip-n`).textContent());
    return {
      held: await chip('held'),
      waiting: (await chip('pending')) + (await chip('sending')),
      in_doubt: await chip('in_doubt'),
      rejected: await chip('rejected'),
      synced: await chip('synced'),
      all: await chip('all'),
    };
  };

  const sessionSummary = async (): Promise<Counts> => {
    const n = (key: string) => number(page.getByTestId('outcomes').locator(`[data-outcome="${key}"] .n`).textContent());
    return { held: await n('held'), waiting: await n('waiting'), in_doubt: await n('in_doubt'), rejected: await n('rejected'), synced: await n('synced') };
  };

  /** A card's state in the core, discarded ones too (the live lookup leaves them out). */
  const stateOf = (uid: string) => station.queue.findByUid(uid)?.state ?? (station.queue.list({ states: ['discarded'] }).some((t) => t.uid === uid) ? 'discarded' : null);

  /** The last-tap panel's state of its card, as the pill's class names it. */
  const lastTapState = async () => {
    const pill = page.getByTestId('last-tap').locator('.pill');
    if ((await pill.count()) === 0) return null;
    return /pill-(\w+)/.exec((await pill.getAttribute('class')) ?? '')?.[1] ?? null;
  };

  const goTo = async (key: string, heading: string) => {
    await page.keyboard.press(key);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  };

  /** Every screen agrees with the core, and so with each other. */
  const expectSameEverywhere = async (step: string, lastUid: string | null) => {
    const expected = core();
    const total = expected.held + expected.waiting + expected.in_doubt + expected.rejected + expected.synced;
    const poll = { timeout: 5_000, message: step };
    await goTo('Alt+1', 'Last tap');
    await expect.poll(header, poll).toEqual(expected);
    if (lastUid) await expect.poll(lastTapState, poll).toBe(stateOf(lastUid));
    await goTo('Alt+2', 'Queue');
    await expect.poll(queueScreen, poll).toEqual({ ...expected, all: total });
    await expect.poll(header, poll).toEqual(expected);
    await goTo('Alt+3', 'Session summary');
    await expect.poll(sessionSummary, poll).toEqual(expected);
    await expect.poll(header, poll).toEqual(expected);
  };

  const tap = async (uid: string) => {
    station.simulated!.present(uid);
    await expect.poll(() => page.getByTestId('last-tap-uid').textContent()).toBe(uid);
  };

  it('are the same in the header, on the Queue screen, in the Session summary and in the last-tap panel', async () => {
    await page.goto(bridge.url);
    await page.getByTestId('selected-customer').getByText('Acme Fleet ApS').waitFor();

    // Four taps, one for a customer Spirii does not know: all held here.
    for (const uid of ['04C00001', '04C00002', '04C00003']) await tap(uid);
    station.enrollmentDefaults.update({ customerId: 999_999, customerName: null });
    await tap('04C00004');
    station.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS' });
    expect(core()).toEqual({ held: 4, waiting: 0, in_doubt: 0, rejected: 0, synced: 0 });
    await expectSameEverywhere('four held', '04C00004');

    // Released from the Queue screen: three synced, the fourth refused by Spirii.
    await goTo('Alt+2', 'Queue');
    await page.getByRole('button', { name: /Release all held \(4\)/ }).click();
    await expect.poll(() => station.queue.findByUid('04C00004')?.state, { timeout: 10_000 }).toBe('rejected');
    await expect.poll(() => core().synced, { timeout: 10_000 }).toBe(3);
    await expectSameEverywhere('released, three synced and one refused', '04C00004');

    // The refused one is discarded from the Queue screen.
    await goTo('Alt+2', 'Queue');
    await page.getByRole('button', { name: 'Discard 04C00004' }).click();
    await page.getByRole('dialog', { name: 'Discard token 04C00004?' }).getByRole('button', { name: 'Discard token' }).click();
    await expect.poll(() => stateOf('04C00004')).toBe('discarded');
    await expectSameEverywhere('the refused one discarded', '04C00004');

    // A fifth tap, held, then undone with Ctrl+Z on the Enroll screen.
    await goTo('Alt+1', 'Last tap');
    await tap('04C00005');
    await page.getByTestId('undo').waitFor();
    await page.locator('body').press('Control+z');
    await page.getByTestId('undo-note').waitFor();
    expect(station.queue.findByUid('04C00005')).toBeUndefined();
    await expectSameEverywhere('the fifth undone', null);

    // A sixth, released on its own: the last-tap panel follows it to Spirii.
    await goTo('Alt+1', 'Last tap');
    await tap('04C00006');
    await expectSameEverywhere('a sixth held', '04C00006');
    await goTo('Alt+2', 'Queue');
    await page.getByRole('button', { name: 'Release 04C00006' }).click();
    await expect.poll(() => station.queue.findByUid('04C00006')?.state, { timeout: 10_000 }).toBe('synced');
    await expectSameEverywhere('the sixth synced', '04C00006');
    expect(core()).toEqual({ held: 0, waiting: 0, in_doubt: 0, rejected: 0, synced: 4 });

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
