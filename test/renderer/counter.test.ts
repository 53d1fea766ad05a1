/**
 * An hour at the counter, in real Chromium against the real core and a sandbox API on a loopback
 * port: the first tap heard, a late refusal by Spirii that stays in view, labels that match the
 * printed box, typed and scanned labels that cannot lock the desk (a stray tap, a scan with the
 * focus elsewhere, a reload, scanners ending with Enter, Tab or a pause, a label used twice), a
 * batch of 20 with its counter, and undo with a hold period and offline.
 *
 * Chromium is started with the autoplay policy the Electron shell sets for the window
 * (test/electron/shell.test.ts checks the shell sets it): the window is what is tested here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { closedPort } from '../support/net';
import { uidOf } from '../support/tokens';

const API_KEY = 'counter-key';

describe('an hour at the counter', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let port: number;
  let sandbox: Sandbox | null = null;

  const panel = () => page.getByTestId('last-tap');
  const status = () => panel().getAttribute('data-status');
  const waiting = () => page.getByTestId('label-waiting');
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
  /** A barcode scanner: the whole line in a few milliseconds, wherever the focus is. */
  const scan = async (text: string, end: 'Enter' | 'Tab' | null) => {
    await page.keyboard.type(text, { delay: 2 });
    if (end) await page.keyboard.press(end);
  };
  const tapped = async (uid: string, state: 'queued' | 'refused' | 'label-needed') => {
    await expect.poll(async () => `${await status()} ${(await panel().getByTestId('last-tap-uid').textContent())?.trim()}`).toBe(`${state} ${uid}`);
  };

  /** A token made in Spirii by someone else (straight to the API): the desk's tap of that UID is refused later, by Spirii. */
  const createInSpirii = async (uid: string, customerId: number, label: string) => {
    const created = await fetch(`${sandbox!.url}/v2/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ customerId, identifier: { type: 'rfid', uid, label } }]),
    });
    expect(created.status).toBe(201);
  };

  beforeAll(async () => {
    port = await closedPort();
    sandbox = await startSandbox({ port, apiKey: API_KEY, host: '127.0.0.1' });
    app = await openApp({
      station: {
        api: { baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY },
        readers: { simulated: true, pcsc: false },
        sync: { timeoutMs: 2000 },
      },
      beforeBridge: (s) => {
        // This test's taps are about the tap and Spirii's answer, not the hold period (tested below).
        s.syncSettings.update({ holdMinutes: 0 });
        s.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS', labelPrefix: 'ACME-', labelNext: 1 });
      },
      chromiumArgs: ['--autoplay-policy=no-user-gesture-required'],
      page: { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('is heard from the first tap, and a late refusal by Spirii has its own alarm and stays through five more taps', async () => {
    await page.goto(bridge.url);
    await page.getByTestId('selected-customer').getByText('Acme Fleet ApS').waitFor();

    // No click, no key yet: the first card is heard all the same.
    station.simulated!.present(uidOf(0xc1));
    await tapped(uidOf(0xc1), 'queued');
    expect(await panel().getAttribute('data-sound')).toBe('ok');
    await expect.poll(() => station.queue.findByUid(uidOf(0xc1))?.state, { timeout: 10_000 }).toBe('synced');

    // Someone else put this card in Spirii under another customer: saved here (the tap's tone says
    // only that), then refused by Spirii's pre-send check a moment later.
    await createInSpirii(uidOf(0xc2), 1002, 'OTHER-1');
    station.simulated!.present(uidOf(0xc2));
    await tapped(uidOf(0xc2), 'queued');
    expect(await panel().getAttribute('data-sound')).toBe('ok');
    const entry = page.locator(`[data-testid="outcome"][data-kind="refused-by-spirii"][data-uid="${uidOf(0xc2)}"]`);
    await entry.waitFor({ timeout: 10_000 });
    expect(station.queue.findByUid(uidOf(0xc2))?.state).toBe('rejected');
    expect(await page.getByTestId('recent-outcomes').getAttribute('data-sound')).toBe('spirii-refused');
    expect(await entry.textContent()).toContain('Spirii refused it');
    expect(await entry.textContent()).toContain('1002');

    // Five more taps: the last-tap panel moves on, the refusal stays until it is acknowledged.
    for (let i = 0; i < 5; i++) {
      station.simulated!.present(uidOf(0xc3 + i));
      await tapped(uidOf(0xc3 + i), 'queued');
    }
    expect(await entry.count()).toBe(1);
    await app.screenshot('counter-late-refusal');
    await entry.getByRole('button', { name: /^OK, seen/ }).click();
    await expect.poll(() => entry.count()).toBe(0);
  });

  it('labels cards as the printed box does: DK.SPI.V03198, 100234, 000123, with the next three shown', async () => {
    const prefix = page.getByRole('textbox', { name: 'Label prefix' });
    const next = page.getByRole('textbox', { name: 'Next number' });
    const preview = () => page.getByTestId('next-labels').textContent();

    await prefix.fill('DK.SPI.V');
    await prefix.press('Tab');
    await next.fill('03198');
    await next.press('Tab');
    await expect.poll(preview).toBe('DK.SPI.V03198, DK.SPI.V03199, DK.SPI.V03200');
    station.simulated!.present(uidOf(0xd1));
    await tapped(uidOf(0xd1), 'queued');
    expect(await panel().getByTestId('last-tap-label').textContent()).toBe('DK.SPI.V03198');

    // No prefix: the number alone, once the desk says so (before, a card got no label).
    await prefix.fill('');
    await prefix.press('Tab');
    await page.getByText('No prefix: cards are enrolled without a label.').waitFor();
    await page.getByRole('checkbox', { name: /number alone/ }).check();
    await next.fill('100234');
    await next.press('Tab');
    await expect.poll(preview).toBe('100234, 100235, 100236');
    await next.fill('000123');
    await next.press('Tab');
    await expect.poll(preview).toBe('000123, 000124, 000125');
    station.simulated!.present(uidOf(0xd2));
    await tapped(uidOf(0xd2), 'queued');
    expect(await panel().getByTestId('last-tap-label').textContent()).toBe('000123');

    // A suffix, and no padding.
    await prefix.fill('B');
    await prefix.press('Tab');
    await page.getByRole('textbox', { name: 'Label suffix' }).fill('-X');
    await page.getByRole('textbox', { name: 'Label suffix' }).press('Tab');
    await page.getByRole('combobox', { name: 'Number width' }).selectOption({ label: 'As typed (no zeros)' });
    await expect.poll(preview).toBe('B124-X, B125-X, B126-X');
    await app.screenshot('counter-label-pattern');

    // The same printed label on a second card is refused before it is queued, naming the card.
    station.enrollmentDefaults.update({ labelPrefix: 'DK.SPI.V', labelSuffix: '', labelDigits: 5, labelNext: 3198 });
    station.simulated!.present(uidOf(0xd3));
    await tapped(uidOf(0xd3), 'refused');
    expect(await panel().getByTestId('last-tap-title').textContent()).toBe('Not added: this label is already on another card');
    expect(await panel().getByTestId('last-tap-message').textContent()).toContain(`Label DK.SPI.V03198 is already on card ${uidOf(0xd1)}`);
    expect(station.queue.findByUid(uidOf(0xd3))).toBeUndefined();
    station.enrollmentDefaults.update({ labelPrefix: 'ACME-', labelDigits: 4, labelNext: 500, labelPlain: false });
  });

  it('typed and scanned labels never lock the desk: stray tap, scan outside the field, reload, Enter/Tab/pause, label used twice', async () => {
    station.enrollmentDefaults.update({ labelMode: 'typed' });
    const a = uidOf(0xe1);
    station.simulated!.present(a);
    await tapped(a, 'label-needed');
    await expect.poll(focusedId).toBe('typed-label');
    await page.keyboard.type('DK.', { delay: 60 });

    // A stray second card: refused with the low tone, and the waiting card's field stays open with what was typed.
    station.simulated!.present(uidOf(0xe2));
    await tapped(uidOf(0xe2), 'refused');
    expect(await panel().getAttribute('data-sound')).toBe('bad');
    expect(await waiting().getAttribute('data-uid')).toBe(a);
    expect(await page.getByTestId('typed-label').inputValue()).toBe('DK.');
    await expect.poll(focusedId).toBe('typed-label');
    expect(station.queue.findByUid(uidOf(0xe2))).toBeUndefined();
    await app.screenshot('counter-stray-tap');

    // A reload: the core still holds the card, and the window shows it waiting (never "Ready").
    await page.reload();
    await waiting().waitFor();
    expect(await waiting().getAttribute('data-uid')).toBe(a);
    expect(await panel().textContent()).not.toContain('Ready');

    // A scan with the focus outside the field (on the page itself) goes to the waiting card.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await scan('DK.SPI.V03300', 'Enter');
    await tapped(a, 'queued');
    expect(station.queue.findByUid(a)?.label).toBe('DK.SPI.V03300');
    await expect.poll(() => waiting().count()).toBe(0);

    // A scanner ending with Tab.
    station.simulated!.present(uidOf(0xe3));
    await tapped(uidOf(0xe3), 'label-needed');
    await scan('TAB-0001', 'Tab');
    await tapped(uidOf(0xe3), 'queued');
    expect(station.queue.findByUid(uidOf(0xe3))?.label).toBe('TAB-0001');

    // A scanner ending with nothing: the pause ends the label.
    station.simulated!.present(uidOf(0xe4));
    await tapped(uidOf(0xe4), 'label-needed');
    await scan('PAUSE-0001', null);
    await tapped(uidOf(0xe4), 'queued');
    expect(station.queue.findByUid(uidOf(0xe4))?.label).toBe('PAUSE-0001');

    // A label already on a card of this desk: refused, the card still waits for the right one.
    station.simulated!.present(uidOf(0xe5));
    await tapped(uidOf(0xe5), 'label-needed');
    await scan('TAB-0001', 'Enter');
    await tapped(uidOf(0xe5), 'refused');
    expect(await panel().getByTestId('last-tap-message').textContent()).toContain(`Label TAB-0001 is already on card ${uidOf(0xe3)}`);
    expect(await waiting().getAttribute('data-uid')).toBe(uidOf(0xe5));
    // A label Spirii already has on another card (online): refused too, naming the card there.
    await createInSpirii(uidOf(0xe6), 1002, 'SPIRII-LBL-9');
    await scan('SPIRII-LBL-9', 'Enter');
    await expect.poll(() => panel().getByTestId('last-tap-message').textContent()).toContain(`Label SPIRII-LBL-9 is already in Spirii on card ${uidOf(0xe6)}`);
    expect(await waiting().getAttribute('data-uid')).toBe(uidOf(0xe5));
    // Put the card back: nothing queued, the desk is free.
    await page.getByTestId('typed-label').press('Escape');
    await expect.poll(() => waiting().count()).toBe(0);
    expect(station.queue.findByUid(uidOf(0xe5))).toBeUndefined();
    expect(station.enrollment.view.awaitingLabel).toBeNull();
    station.enrollmentDefaults.update({ labelMode: 'numbered' });
  });

  it('runs a batch of 20 with its counter, a done cue and a summary; refused taps are not counted', async () => {
    station.enrollmentDefaults.update({ labelPrefix: 'BOX-', labelNext: 1, labelDigits: 3 });
    await page.getByRole('textbox', { name: 'Cards in this batch' }).fill('20');
    await page.getByRole('button', { name: 'Enroll 20 cards' }).click();
    const counter = page.getByTestId('batch-counter');
    for (let i = 0; i < 20; i++) {
      station.simulated!.present(uidOf(0xf00 + i));
      await tapped(uidOf(0xf00 + i), 'queued');
      if (i === 11) {
        expect(await counter.textContent()).toContain('12 of 20 cards enrolled');
        station.simulated!.present(uidOf(0xf00)); // the first card again: refused, not counted
        await tapped(uidOf(0xf00), 'refused');
        expect(await counter.textContent()).toContain('12 of 20 cards enrolled');
      }
    }
    await page.getByTestId('batch-summary').waitFor();
    expect(await panel().getAttribute('data-sound')).toBe('done');
    const summary = await page.getByTestId('batch-summary').textContent();
    expect(summary).toContain('Enrolled: 20');
    expect(summary).toContain('Refused: 1');
    expect(summary).toContain(`Card ${uidOf(0xf00)} is already in the queue`);
    expect(await page.getByTestId('batch-labels').textContent()).toContain('Labels used: BOX-001 to BOX-020');
    await app.screenshot('counter-batch-done');
    await page.getByRole('button', { name: 'Close summary' }).click();
  });

  it('undoes in one step with a hold period and offline, and says so when the card is already in Spirii', async () => {
    // Already in Spirii: Ctrl+Z says where it is instead of doing nothing.
    station.enrollmentDefaults.update({ labelPrefix: 'UND-', labelNext: 1, labelDigits: 4 });
    station.simulated!.present(uidOf(0x1a1));
    await tapped(uidOf(0x1a1), 'queued');
    await expect.poll(() => station.queue.findByUid(uidOf(0x1a1))?.state, { timeout: 10_000 }).toBe('synced');
    await page.getByTestId('in-spirii').waitFor();
    await page.locator('body').press('Control+z');
    await expect.poll(() => page.getByTestId('undo-note').textContent()).toContain(`Card ${uidOf(0x1a1)} is already in Spirii`);
    expect(station.queue.findByUid(uidOf(0x1a1))?.state).toBe('synced');

    // With a hold period: held, undone with Ctrl+Z, its label given again.
    station.syncSettings.update({ holdMinutes: 2 });
    station.simulated!.present(uidOf(0x1a2));
    await tapped(uidOf(0x1a2), 'queued');
    expect(station.queue.findByUid(uidOf(0x1a2))?.state).toBe('held');
    await page.getByTestId('undo').waitFor();
    await page.locator('body').press('Control+z');
    await expect.poll(() => page.getByTestId('undo-note').textContent()).toBe(`Removed card ${uidOf(0x1a2)}; label UND-0002 will be used again.`);
    expect(station.queue.findByUid(uidOf(0x1a2))).toBeUndefined();
    expect(station.enrollment.view.nextLabel).toBe('UND-0002');

    // Offline, no hold period: the token waits here and is undone all the same.
    station.syncSettings.update({ holdMinutes: 0 });
    await sandbox!.close();
    sandbox = null;
    station.simulated!.present(uidOf(0x1a3));
    await tapped(uidOf(0x1a3), 'queued');
    await expect.poll(() => station.sync.status.online, { timeout: 10_000 }).toBe(false);
    await expect.poll(() => station.queue.findByUid(uidOf(0x1a3))?.state, { timeout: 10_000 }).toBe('pending');
    await page.locator('body').press('Control+z');
    await expect.poll(() => page.getByTestId('undo-note').textContent()).toBe(`Removed card ${uidOf(0x1a3)}; label UND-0002 will be used again.`);
    expect(station.queue.findByUid(uidOf(0x1a3))).toBeUndefined();
    // The audit trail records the undo as a discard.
    expect(station.audit.list({ actions: ['discard'] }).length).toBeGreaterThanOrEqual(2);
    await app.screenshot('counter-undo-offline');

    // Nothing left to send, and Spirii unreachable: the header never says "Up to date" then.
    await expect.poll(() => page.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toMatch(/Nothing to send · Spirii last reached at \d/);
    expect(await page.getByTestId('sync-status').textContent()).not.toContain('Up to date');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
