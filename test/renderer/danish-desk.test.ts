/**
 * The desk in Danish: Enroll (refusals of every kind), the session's "last error" column, the
 * Queue screen (a token Spirii refused, one it already has, one in doubt, a desk action refused,
 * the sync status), the Session summary and the Tokens screen (a list and a PATCH that fail), in
 * real Chromium against the real core. The core keeps its English (log, CLI, exports); the window
 * words it in Danish from the structured detail next to it, keeping outside text (Spirii's own
 * words, the OS's error code) as it came.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { closedPort } from '../support/net';
import { uidOf } from '../support/tokens';

const API_KEY = 'danish-desk-key';

describe('the desk in Danish', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let port: number;
  let sandbox: Sandbox | null = null;

  const panel = () => page.getByTestId('last-tap');
  const refusal = async () => {
    await page.locator('[data-testid="last-tap"][data-status="refused"]').waitFor();
    return { title: await panel().getByTestId('last-tap-title').textContent(), message: await panel().getByTestId('last-tap-message').textContent() };
  };
  const lastError = (uid: string) => page.locator(`tr[data-uid="${uid}"] td.error`).textContent();
  const queueProblem = (uid: string) => page.locator(`tr[data-uid="${uid}"]`).textContent();

  /** A token made in Spirii by someone else (straight to the API). */
  const createInSpirii = async (uid: string, customerId: number, label: string) => {
    const created = await fetch(`${sandbox!.url}/v2/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ customerId, identifier: { type: 'rfid', uid, label } }]),
    });
    expect(created.status).toBe(201);
    return ((await created.json()) as { id: number }[])[0]!;
  };

  beforeAll(async () => {
    port = await closedPort();
    sandbox = await startSandbox({ port, apiKey: API_KEY, host: '127.0.0.1' });
    app = await openApp({
      station: {
        api: { baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY },
        readers: { simulated: true, pcsc: false },
        // A token in doubt stays in doubt long enough to be read.
        sync: { timeoutMs: 2000, serverMarginMs: 120_000 },
      },
      beforeBridge: (station) => station.preferences.update({ locale: 'da' }),
      page: { viewport: { width: 1360, height: 900 }, colorScheme: 'light', locale: 'da-DK' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('says why a tap was refused, in Danish', async () => {
    await page.goto(bridge.url);
    await page.getByText('Vælg en kunde for at begynde.').waitFor();

    station.simulated!.present(uidOf(0xd1));
    expect(await refusal()).toEqual({ title: 'Ikke tilføjet: ingen kunde valgt', message: 'Vælg en kunde, før du tapper kort' });
    await app.screenshot('danish-enroll-no-customer');

    station.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS', labelPrefix: 'DK-', labelNext: 1 });
    station.simulated!.present(uidOf(0xd1));
    await expect.poll(() => station.queue.findByUid(uidOf(0xd1))?.state, { timeout: 10_000 }).toBe('synced');
    const spiriiId = station.queue.findByUid(uidOf(0xd1))!.spiriiId!;

    // The same card again: where it already is, the state in Danish, the numbers as they are.
    station.simulated!.present(uidOf(0xd1));
    expect(await refusal()).toEqual({
      title: 'Ikke tilføjet: kortet er allerede tilmeldt',
      message: `Kort ${uidOf(0xd1)} står allerede i køen (synkroniseret, kunde 1001, etiket DK-0001, Spirii-token ${spiriiId})`,
    });
    await app.screenshot('danish-enroll-duplicate');

    station.simulated!.present('08A1B2C3');
    const random = await refusal();
    expect(random.title).toBe('Ikke tilføjet: kortet viser et tilfældigt ID');
    expect(random.message).toMatch(/^UID 08A1B2C3 er et tilfældigt ID \(4 byte, der starter med 08\).*Brug et kort med fast UID\.$/);
    await app.screenshot('danish-enroll-random');

    // What was given is quoted as it came.
    station.enrollment.tap('04:ZZ', 'simulated');
    expect((await refusal()).message).toBe('UID "04:ZZ" er ikke hexadecimalt (kun 0-9 og A-F er tilladt)');

    station.enrollmentDefaults.update({ labelMode: 'typed' });
    station.simulated!.present(uidOf(0xd2));
    await page.locator('[data-testid="last-tap"][data-status="label-needed"]').waitFor();
    station.simulated!.present(uidOf(0xd3));
    expect(await refusal()).toEqual({
      title: 'Ikke tilføjet: det forrige kort mangler stadig sin etiket',
      message: `Kort ${uidOf(0xd2)} venter stadig på sin etiket: giv den (eller spring kortet over) før det næste kort`,
    });
    await app.screenshot('danish-enroll-label-pending');
    station.enrollment.skipLabel();

    // A card skipped at another window meanwhile: the label field follows the core and closes, so
    // no label can be typed for a card that no longer waits.
    station.simulated!.present(uidOf(0xd4));
    await page.locator('[data-testid="last-tap"][data-status="label-needed"]').waitFor();
    await page.getByTestId('typed-label').fill('DK-X');
    station.enrollment.skipLabel();
    await expect.poll(() => page.getByTestId('typed-label').count()).toBe(0);
    await app.screenshot('danish-enroll-no-card-waiting');
    station.enrollmentDefaults.update({ labelMode: 'numbered' });
  });

  it('words what Spirii refused, what it already has, what is in doubt and why sync waits', async () => {
    // A customer Spirii does not know: refused by Spirii, in its own (English) words.
    station.enrollment.tap(uidOf(0xe1), 'simulated', { customerId: 999_999 });
    await expect.poll(() => station.queue.findByUid(uidOf(0xe1))?.state, { timeout: 10_000 }).toBe('rejected');
    const spirii = 'tokens[0].customerId: customer 999999 not found';
    // The core keeps its English.
    expect(station.queue.findByUid(uidOf(0xe1))?.lastError).toBe(`Spirii refused this token: ${spirii}`);
    await expect.poll(() => panel().getByTestId('last-tap-progress').textContent()).toBe(`Spirii afviste det: ${spirii}.`);
    // In the desk's words: the field and what to do, Spirii's own text kept for IT.
    await expect.poll(() => lastError(uidOf(0xe1))).toBe(`Spirii har ingen kunde 999999: vælg den rigtige kunde under Redigér. (Spirii: ${spirii})`);
    await app.screenshot('danish-enroll-rejected');

    // A UID Spirii already has for someone else: found before sending, never sent.
    const taken = uidOf(0xe4);
    const other = await createInSpirii(taken, 1002, 'ANDEN-7');
    station.enrollment.tap(taken, 'simulated');
    await expect.poll(() => station.queue.findByUid(taken)?.state, { timeout: 10_000 }).toBe('rejected');
    await expect
      .poll(() => lastError(taken))
      .toBe(`Findes allerede i Spirii som token ${other.id} for kunde 1002, etiket ANDEN-7: ikke sendt. Kassér det her, eller prøv igen, når Spirii ikke længere har det.`);
    expect(await panel().getByTestId('last-tap-progress').textContent()).toMatch(/^Findes allerede i Spirii som token/);

    // The answer to a POST never comes back: in doubt, the broken connection in Danish.
    sandbox!.failNext('dropAfterStore');
    station.enrollment.tap(uidOf(0xe2), 'simulated');
    await expect.poll(() => station.queue.findByUid(uidOf(0xe2))?.state, { timeout: 10_000 }).toBe('in_doubt');
    await expect
      .poll(() => lastError(uidOf(0xe2)))
      .toMatch(new RegExp(`^Forbindelsen til 127\\.0\\.0\\.1:${port} fejlede: .+: tjekkes i Spirii, før det sendes igen$`));
    await app.screenshot('danish-enroll-in-doubt');

    // Spirii away: offline, said in Danish in the session's problem line and the header's tooltip.
    await sandbox!.close();
    sandbox = null;
    station.enrollment.tap(uidOf(0xe3), 'simulated');
    station.sync.retryNow();
    const offline = `Kan ikke nå 127.0.0.1:${port} (ECONNREFUSED): arbejder offline`;
    await expect.poll(() => page.locator('.sync-error').textContent(), { timeout: 10_000 }).toBe(`Seneste synkroniseringsproblem: ${offline}`);
    expect(await page.getByTestId('sync-status').getAttribute('title')).toBe(offline);
    await app.screenshot('danish-enroll-offline');

    // The Queue screen says the same.
    await page.keyboard.press('Alt+2');
    await page.locator(`tr[data-uid="${uidOf(0xe1)}"]`).waitFor();
    expect(await page.getByTestId('queue-sync-status').textContent()).toContain(offline);
    expect(await queueProblem(uidOf(0xe1))).toContain(`Spirii har ingen kunde 999999: vælg den rigtige kunde under Redigér. (Spirii: ${spirii})`);
    expect(await queueProblem(uidOf(0xe2))).toContain('tjekkes i Spirii, før det sendes igen');

    // A desk action refused by the core (the token was discarded meanwhile), in Danish.
    await page.getByRole('button', { name: `Ret ${taken}` }).click();
    const edit = page.getByRole('dialog', { name: `Ret token ${taken}` });
    await edit.waitFor();
    station.queue.discard(station.queue.findByUid(taken)!.id);
    await edit.getByRole('button', { name: 'Gem' }).click();
    await edit
      .getByRole('alert')
      .getByText(`Token ${taken} kan ikke rettes: det er kasseret. Kun tilbageholdte, ventende og afviste tokens kan.`)
      .waitFor();
    await app.screenshot('danish-queue-refused-edit');
    await edit.getByRole('button', { name: 'Annullér' }).click();
    await app.screenshot('danish-queue');

    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Sessionsoversigt' }).waitFor();
    await app.screenshot('danish-summary');

    expect(await watcher.problems()).toEqual([]);
  });

  it('words a Tokens list and a PATCH that fail, in Danish', async () => {
    const offline = `Kan ikke nå 127.0.0.1:${port} (ECONNREFUSED): arbejder offline`;
    await page.keyboard.press('Alt+4');
    await page.getByText(`Kunne ikke indlæse tokens: ${offline}`).waitFor({ timeout: 10_000 });
    await app.screenshot('danish-tokens-offline');

    // Spirii back: open a token, then lose Spirii before sending the change.
    sandbox = await startSandbox({ port, apiKey: API_KEY, host: '127.0.0.1' });
    await createInSpirii(uidOf(0xf1), 1001, 'DK-F1');
    await page.getByRole('button', { name: 'Prøv igen' }).click();
    await page.locator('[data-row-index="0"]').waitFor({ timeout: 5000 });
    await page.getByTestId('token-grid').focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('token-detail');
    await detail.getByLabel('Kommentar').waitFor({ timeout: 5000 });
    await detail.getByLabel('Kommentar').fill('Mistet kort');
    await sandbox.close();
    sandbox = null;
    await detail.getByRole('button', { name: /^Gennemse ændringer/ }).click({ timeout: 5000 });
    await page.getByTestId('confirm-patch').getByRole('button', { name: 'Send til Spirii' }).click();
    await expect.poll(() => detail.getByTestId('patch-result').textContent()).toBe(`Spirii accepterede ikke ændringen: ${offline}`);
    await app.screenshot('danish-tokens-patch-failed');
  });
});
