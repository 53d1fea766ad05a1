/**
 * A whole enrollment session at the desk, in real Chromium against the real core, done from the
 * keyboard where a desk would: choose the customer, set the session's defaults (and see a wrong
 * expiry refused), tap five cards while Spirii is unreachable (one of them twice: refused as a
 * duplicate), undo the last one while it is only local, then sync once Spirii is back. The API is
 * the sandbox on a fixed loopback port, stopped and started again to make the desk offline.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { closedPort } from '../support/net';
import { uidOf } from '../support/tokens';
import { ScriptedDialogs } from '../io/support';

const API_KEY = 'desk-session-key';

describe('an enrollment session', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let port: number;
  let sandbox: Sandbox | null = null;
  // The core's save dialog, answered by the test (Electron's native dialog cannot run here).
  const dialogs = new ScriptedDialogs();

  const shot = (name: string) => app.screenshot(name);
  const panel = () => page.getByTestId('last-tap');
  /** The focused element is a real control or the tap panel: never nothing (the body). */
  const focused = () => page.evaluate(() => (document.activeElement && document.activeElement !== document.body ? document.activeElement.tagName : 'BODY'));

  beforeAll(async () => {
    port = await closedPort();
    sandbox = await startSandbox({ port, apiKey: API_KEY, host: '127.0.0.1' });
    app = await openApp({
      station: {
        api: { baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY },
        readers: { simulated: true, pcsc: false },
        sync: { timeoutMs: 2000 },
        dialogs,
      },
      page: { viewport: { width: 1360, height: 900 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('chooses the customer, sets defaults, taps five cards (one duplicate), undoes one and syncs', async () => {
    await page.goto(bridge.url);
    await page.getByText('Choose a customer to start.').waitFor();

    // 1. The customer, by keyboard: type part of the external id, arrow down, Enter.
    const search = page.getByRole('combobox', { name: 'Customer' });
    await search.focus();
    await page.keyboard.type('ACME-01');
    await page.getByRole('option', { name: /Acme Fleet ApS/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('selected-customer').getByText('Acme Fleet ApS').waitFor();
    await expect.poll(() => station.enrollmentDefaults.value.customerId).toBe(1001);

    // 2. Defaults: labels ACME-0100 onwards; reference and comment; an expiry before the start is refused.
    const prefix = page.getByRole('textbox', { name: 'Label prefix' });
    await prefix.fill('ACME-');
    await prefix.press('Tab');
    await page.keyboard.type('100');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.getByTestId('next-label').textContent()).toBe('ACME-0100');

    await page.getByTestId('token-defaults').locator('summary').click();
    await page.getByLabel('Valid from').fill('2031-06-01T08:00');
    await page.getByLabel('Valid from').press('Tab');
    await expect.poll(() => station.enrollmentDefaults.value.validFrom).toBe(new Date('2031-06-01T08:00').toISOString());
    await page.getByLabel('Expires at').fill('2031-05-01T08:00');
    await page.getByLabel('Expires at').press('Tab');
    await expect.poll(() => page.getByTestId('expires-error').textContent()).toContain('must be after “valid from”');
    expect(station.enrollmentDefaults.value.expiresAt).toBeNull();
    await page.getByLabel('Expires at').fill('2032-05-31T23:59');
    await page.getByLabel('Expires at').press('Tab');
    await expect.poll(() => station.enrollmentDefaults.value.expiresAt).toBe(new Date('2032-05-31T23:59').toISOString());
    expect(await page.getByTestId('expires-error').count()).toBe(0);
    const reference = page.getByLabel('Billing reference');
    await reference.fill('Bil 246');
    await reference.press('Tab');
    await page.getByText('7 of 100 characters').waitFor();
    await page.getByLabel('Comment').fill('Desk session');
    await page.getByLabel('Comment').press('Tab');
    await expect.poll(() => station.enrollmentDefaults.value.comment).toBe('Desk session');
    expect(station.enrollmentDefaults.value.billingReference).toBe('Bil 246');
    await shot('session-1-defaults');

    // 3. Spirii goes away: the desk keeps enrolling.
    await sandbox!.close();
    sandbox = null;

    const uids = [uidOf(0xa1), uidOf(0xa2), uidOf(0xa3), uidOf(0xa4)];
    const expectQueued = async (uid: string, label: string) => {
      await page.locator(`[data-testid="last-tap"][data-status="queued"]`).waitFor();
      await expect.poll(() => panel().getByTestId('last-tap-uid').textContent()).toBe(uid);
      expect(await panel().getByTestId('last-tap-label').textContent()).toBe(label);
      expect(await panel().textContent()).toContain('Acme Fleet ApS');
      await page.locator(`tr[data-uid="${uid}"]`).waitFor();
      expect(await focused()).not.toBe('BODY');
    };

    // Card 1 from the keyboard's simulated reader (F9), cards 2-4 held to the (simulated) reader.
    await page.keyboard.press('F9');
    await page.locator(`[data-testid="last-tap"][data-status="queued"]`).waitFor();
    const first = (await panel().getByTestId('last-tap-uid').textContent())!.trim();
    expect(await panel().getByTestId('last-tap-label').textContent()).toBe('ACME-0100');
    // The keyboard armed the audio: a tone was played for the card taken.
    expect(await panel().getAttribute('data-sound')).toBe('ok');
    for (const [i, uid] of uids.slice(0, 3).entries()) {
      station.simulated!.present(uid);
      await expectQueued(uid, `ACME-010${i + 1}`);
    }
    await shot('session-2-tapped');

    // Card 2 again: refused as a duplicate, in red, with its reason and the low tone.
    station.simulated!.present(uids[0]!);
    await page.locator(`[data-testid="last-tap"][data-status="refused"]`).waitFor();
    expect(await panel().getByTestId('last-tap-title').textContent()).toBe('Not added: card already in the queue');
    expect(await panel().getByTestId('last-tap-uid').textContent()).toBe(uids[0]);
    expect(await panel().getAttribute('data-sound')).toBe('bad');
    expect(await focused()).not.toBe('BODY');
    await shot('session-3-duplicate');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('session-3-duplicate-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // 5 taps made 4 tokens (the duplicate none); the header says they wait to be sent.
    await expect.poll(() => station.queue.list().length).toBe(4);
    await expect.poll(() => page.getByTestId('counts').locator('[data-count="pending"] .n').textContent()).toBe('4');
    await expect.poll(() => page.getByTestId('sync-status').textContent(), { timeout: 10_000 }).toMatch(/Offline/);

    // The 5th card, then undo it with Ctrl+Z while it is only on this computer; its label number comes back.
    station.simulated!.present(uids[3]!);
    await expectQueued(uids[3]!, 'ACME-0104');
    await expect.poll(() => station.queue.findByUid(uids[3]!)?.state, { timeout: 10_000 }).toBe('pending');
    await page.getByTestId('undo').waitFor();
    await shot('session-4-undo-offered');
    await page.locator('body').press('Control+z');
    await expect.poll(() => station.queue.findByUid(uids[3]!)).toBeUndefined();
    await expect.poll(() => page.locator(`tr[data-uid="${uids[3]}"]`).count()).toBe(0);
    await expect.poll(() => page.getByTestId('next-label').textContent()).toBe('ACME-0104');
    expect(await focused()).not.toBe('BODY');
    expect(station.queue.list().map((t) => t.uid).sort()).toEqual([first, ...uids.slice(0, 3)].sort());

    // 6. Spirii is back: Sync now (F8) sends the four.
    sandbox = await startSandbox({ port, apiKey: API_KEY, host: '127.0.0.1' });
    await page.keyboard.press('F8');
    await expect.poll(() => station.queue.counts().synced, { timeout: 15_000 }).toBe(4);
    for (const uid of [first, ...uids.slice(0, 3)]) await page.locator(`tr[data-uid="${uid}"] [data-state="synced"]`).waitFor();
    await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/Online.*Up to date/);
    await expect.poll(() => page.getByTestId('counts').locator('[data-count="synced"] .n').textContent()).toBe('4');
    expect(await page.getByTestId('counts').locator('[data-count="pending"] .n').textContent()).toBe('0');

    // Spirii has exactly the four, with the session's defaults.
    const stored = sandbox.tokens();
    expect(stored.map((t) => t.identifier.label).sort()).toEqual(['ACME-0100', 'ACME-0101', 'ACME-0102', 'ACME-0103']);
    expect(stored.map((t) => t.identifier.uid).sort()).toEqual([first, ...uids.slice(0, 3)].sort());
    for (const token of stored) {
      expect(token).toMatchObject({ customerId: 1001, billingReference: 'Bil 246', comment: 'Desk session', validFrom: new Date('2031-06-01T08:00').toISOString() });
    }
    await shot('session-5-synced');

    // The session summary counts the outcomes and charts the hour.
    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Session summary' }).waitFor();
    const outcomes = page.getByTestId('outcomes');
    expect(await outcomes.locator('[data-outcome="synced"] .n').textContent()).toBe('4');
    expect(await outcomes.locator('[data-outcome="duplicates"] .n').textContent()).toBe('1');
    const bars = await page.getByTestId('hour-chart').locator('rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(4);
    // The export is written by the core to the file chosen in its save dialog, and audited.
    const target = path.join(app.dataDir, 'session-export.csv');
    dialogs.answer(target);
    await page.getByRole('button', { name: 'Save as CSV…' }).click();
    await page.getByTestId('session-export-result').getByText('Saved 4 tokens to session-export.csv. Recorded under Activity.').waitFor();
    const rows = parse(readFileSync(target, 'utf8'), { bom: true }) as string[][];
    expect(rows[0]!.slice(0, 6)).toEqual(['uid', 'label', 'customerId', 'customerName', 'state', 'spiriiId']);
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).every((r) => r[4] === 'synced' && r[3] === 'Acme Fleet ApS')).toBe(true);
    const audited = station.audit.list({ actions: ['export'] });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ subject: 'session-export.csv', details: { what: 'session', format: 'csv', rows: 4 } });
    // It is on the Activity screen too.
    await page.keyboard.press('Alt+7');
    await page.getByText('session-export.csv').first().waitFor();
    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Session summary' }).waitFor();
    await shot('session-6-summary');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('session-6-summary-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it('takes a typed or scanned label after the tap instead of a number', async () => {
    await page.keyboard.press('Alt+1');
    await page.getByRole('radio', { name: 'Typed or scanned' }).check();
    await expect.poll(() => station.enrollmentDefaults.value.labelMode).toBe('typed');

    const uid = uidOf(0xb1);
    station.simulated!.present(uid);
    await page.locator('[data-testid="last-tap"][data-status="label-needed"]').waitFor();
    // Nothing is queued (or sendable) until the label is known: Spirii cannot change it later.
    expect(station.queue.findByUid(uid)).toBeUndefined();
    // The label field has focus at once, so a barcode scanner (it types, then Enter) just works.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('typed-label');
    await shot('session-7-label-needed');
    await page.keyboard.type('DK.ACM.V00042');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="last-tap"][data-status="queued"]').waitFor();
    expect(await panel().getByTestId('last-tap-label').textContent()).toBe('DK.ACM.V00042');
    await expect.poll(() => station.queue.findByUid(uid)?.label).toBe('DK.ACM.V00042');
    await expect.poll(() => station.queue.findByUid(uid)?.state, { timeout: 10_000 }).toBe('synced');
    expect(sandbox!.tokens().find((t) => t.identifier.uid === uid)?.identifier.label).toBe('DK.ACM.V00042');
    expect(await focused()).not.toBe('BODY');

    // A second card while one waits for its label is refused, not silently queued without one.
    station.simulated!.present(uidOf(0xb2));
    await page.locator('[data-testid="last-tap"][data-status="label-needed"]').waitFor();
    station.simulated!.present(uidOf(0xb3));
    await page.locator('[data-testid="last-tap"][data-status="refused"]').waitFor();
    expect(await panel().getByTestId('last-tap-title').textContent()).toBe('Not added: the previous card still needs its label');
    expect(station.enrollment.view.awaitingLabel?.uid).toBe(uidOf(0xb2));

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
