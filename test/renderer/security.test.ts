/**
 * Security in the window, in real Chromium against the real core (WebSocket bridge, the app's CSP):
 * Settings → Connection with a wrong and then a right key against a sandbox that requires one, the
 * key masked once saved and never in the page; a Linux desk without a keychain asked to choose;
 * untrusted text (labels, comments, a server's error message) shown inert; the audit trail and
 * diagnostics on the Activity screen; a file dropped on the window ignored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { FakeKeychain } from '../support/keychain';
import { axeViolations, describeViolations } from '../support/axe';

const RIGHT_KEY = 'desk-right-key-5c0ffee1';
const WRONG_KEY = 'desk-wrong-key-00000000';
const HOSTILE_LABEL = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_COMMENT = '<script>window.__pwned=2</script>';
const HOSTILE_ERROR = '<img src=x onerror="window.__pwned=3">Bad key';

describe('security in the window', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let keychain: FakeKeychain;
  let remote: Sandbox;
  let hostile: Server;
  let hostileUrl: string;
  const clipboard: string[] = [];

  beforeAll(async () => {
    keychain = new FakeKeychain();
    remote = await startSandbox({ apiKey: RIGHT_KEY, host: '127.0.0.1' });
    // A server whose error message is hostile markup: the app must show it as text.
    hostile = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unauthorized', message: HOSTILE_ERROR } }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    app = await openApp({
      station: { vault: keychain.vault(), readers: { simulated: true } },
      beforeBridge: (station) => station.settings.set('preferences', { operatorName: 'Mette <b>Hansen</b>', sound: false, locale: 'en' }),
      host: { copyText: (text) => void clipboard.push(text) },
      page: { viewport: { width: 1280, height: 900 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await app?.close();
    await remote?.close();
    await new Promise((resolve) => hostile?.close(resolve));
  });

  /** No serious or critical axe-core violation, in light and dark. */
  async function accessible(what: string) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      expect(violations, `${what} (${scheme}):\n${describeViolations(violations)}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  async function shot(name: string) {
    await app.screenshot(name, { fullPage: true });
  }

  it('connects with a wrong and then a right key: each step reported, the key masked once saved, used at once', async () => {
    await page.goto(`${bridge.url}#/settings`);
    const settings = page.getByTestId('connection-settings');
    await settings.getByText('In use: the built-in sandbox').waitFor();
    await page.getByRole('radio', { name: /Custom URL/ }).check();
    await page.getByRole('textbox', { name: 'URL' }).fill(remote.url);
    await page.getByRole('button', { name: 'Save URL' }).click();
    await page.getByTestId('connection-saved').getByText('URL saved.').waitFor();

    // Wrong key: the server is reached, the key refused, tokens not tried.
    const key = page.getByLabel('API key');
    await key.fill(WRONG_KEY);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const check = page.getByTestId('connection-check');
    await check.waitFor();
    expect(await check.getAttribute('data-ok')).toBe('false');
    expect(await check.locator('[data-step]').evaluateAll((steps) => steps.map((s) => [s.getAttribute('data-step'), s.getAttribute('data-ok')]))).toEqual([
      ['reach', 'true'],
      ['tls', 'null'],
      ['key', 'false'],
      ['tokens', 'null'],
    ]);
    expect(await check.locator('[data-step="key"]').textContent()).toMatch(/API key accepted.*failed.*The API key was refused \(401/);
    await shot('settings-wrong-key');
    // A connection whose test did not pass cannot be used.
    expect(await page.getByRole('button', { name: 'Use this connection' }).isDisabled()).toBe(true);

    // Right key: every step passes.
    await key.fill(RIGHT_KEY);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('[data-testid="connection-check"][data-ok="true"]').waitFor();
    await check.getByText('Everything works: this connection is ready.').waitFor();
    await check.getByText(/Tokens can be listed \(0 in total\)/).waitFor();
    await shot('settings-right-key');
    await accessible('Settings → Connection with a test result');

    // Saved: the field goes, a mask stays; the key is nowhere in the page.
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByTestId('key-mask').waitFor();
    expect(await page.getByTestId('key-mask').textContent()).toBe('••••••••fee1');
    expect(await page.getByLabel('API key').count()).toBe(0);
    expect(await page.content()).not.toContain(RIGHT_KEY);
    expect(await page.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value).join('|'))).not.toContain(RIGHT_KEY);
    // The keychain in words, not Electron's id for it.
    await expect.poll(() => page.getByTestId('key-state').textContent()).toMatch(/Key stored in GNOME Keyring/);

    // Used at once, without a restart: the sandbox banner goes, a tap reaches this API.
    await page.getByRole('button', { name: 'Use this connection' }).click();
    await page.getByTestId('connection-in-use').getByText(`In use: ${remote.url}`).waitFor();
    await expect.poll(() => page.getByTestId('sandbox-banner').count()).toBe(0);
    await shot('settings-connected');
    expect(station.mode).toBe('spirii');
    expect(station.apiUrl).toBe(remote.url);
  });

  it('shows labels, comments and server error messages as text: hostile markup stays inert', async () => {
    station.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme <i>Charging</i>', labelPrefix: HOSTILE_LABEL, labelNext: 1, comment: HOSTILE_COMMENT });
    await page.goto(`${bridge.url}#/enroll`);
    await page.getByRole('button', { name: /Simulate tap/ }).click();
    const lastTap = page.locator('[data-testid="last-tap"][data-status="queued"]');
    await lastTap.waitFor();
    const label = `${HOSTILE_LABEL}0001`;
    expect(await lastTap.getByTestId('last-tap-label').textContent()).toBe(label);
    const uid = (await lastTap.getByTestId('last-tap-uid').textContent())!.trim();
    const row = page.locator(`tr[data-uid="${uid}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(label);
    await page.locator(`tr[data-uid="${uid}"] [data-state="synced"]`).waitFor({ timeout: 10_000 });
    expect(remote.tokens().find((t) => t.identifier.uid === uid)?.identifier.label).toBe(label);
    await shot('injection-enroll');

    // The audit trail shows the label, the comment and the operator's name as text too.
    await page.goto(`${bridge.url}#/activity`);
    const enrolled = page.locator('[data-testid="audit-table"] tr[data-action="enroll"]').first();
    await enrolled.waitFor();
    expect(await enrolled.textContent()).toContain(HOSTILE_LABEL);
    expect(await enrolled.textContent()).toContain(HOSTILE_COMMENT);
    expect(await enrolled.textContent()).toContain('Mette <b>Hansen</b>');
    await shot('injection-activity');

    // A server's error message, on the connection test.
    await page.goto(`${bridge.url}#/settings`);
    await page.getByRole('radio', { name: /Custom URL/ }).check();
    await page.getByRole('textbox', { name: 'URL' }).fill(hostileUrl);
    await page.getByRole('button', { name: 'Replace key' }).click();
    await page.getByLabel('API key').fill(WRONG_KEY);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const keyStep = page.locator('[data-testid="connection-check"] [data-step="key"]');
    await keyStep.waitFor();
    expect(await keyStep.textContent()).toContain(HOSTILE_ERROR);
    await shot('injection-server-error');

    // Nothing ran, nothing was parsed as markup, the CSP saw nothing to block.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main script, main b, main i').count()).toBe(0);
    await page.goto(`${bridge.url}#/enroll`);
    await page.locator(`tr[data-uid="${uid}"]`).waitFor();
    expect(await page.locator('main img, main script, main b, main i').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await watcher.problems()).toEqual([]);
  });

  it('a file dropped on the window is ignored: the page stays where it is', async () => {
    await page.goto(`${bridge.url}#/enroll`);
    const before = page.url();
    const prevented = await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['uid,label\n04A224B2C35D80,X'], 'tokens.csv', { type: 'text/csv' }));
      data.setData('text/uri-list', 'https://evil.example/');
      const over = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
      const drop = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
      document.body.dispatchEvent(over);
      document.body.dispatchEvent(drop);
      return [over.defaultPrevented, drop.defaultPrevented];
    });
    expect(prevented).toEqual([true, true]);
    await page.waitForTimeout(200);
    expect(page.url()).toBe(before);
  });

  it('the Activity screen lists the trail, exports it, and copies diagnostics without the key', async () => {
    await page.goto(`${bridge.url}#/activity`);
    const table = page.getByTestId('audit-table');
    await table.locator('tr[data-action="connection"]').first().waitFor();
    const actions = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['enroll', 'connection']));

    await page.getByRole('combobox', { name: 'Show' }).selectOption('connection');
    await expect.poll(async () => new Set(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))))).toEqual(new Set(['connection']));
    await page.getByRole('combobox', { name: 'Show' }).selectOption('all');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^token-station-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await download.createReadStream().then(async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    });
    expect(csv).toMatch(/^\ufeffid,time,operator,action,subject,details\r\n/);
    expect(csv).toContain('enroll');
    expect(csv).not.toContain(RIGHT_KEY);
    await page.getByRole('status').getByText(/Exported \d+ entries/).waitFor();

    await page.getByRole('button', { name: 'Copy diagnostics' }).click();
    const text = page.getByTestId('diagnostics-text');
    await text.waitFor();
    const copied = await text.inputValue();
    expect(clipboard.at(-1)).toBe(copied);
    expect(copied).toMatch(/Token Station 0\.1\.0-test diagnostics/);
    expect(copied).toMatch(/Readers: Simulated reader/);
    expect(copied).toMatch(/API key: ••••••••/);
    expect(copied).not.toContain(RIGHT_KEY);
    await shot('activity');
    await accessible('Activity with diagnostics');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('activity-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('on a Linux desk without a keychain (basic_text) it warns and asks before keeping a key', async () => {
    keychain.backend = 'basic_text';
    await page.goto(`${bridge.url}#/settings`);
    await page.getByTestId('storage-warning').getByText(/not protected by an OS keychain \(no keychain\)/).waitFor();
    await page.getByRole('radio', { name: /Spirii's sandbox/ }).check();
    await page.getByLabel('API key').fill('spirii-sandbox-key-123456');
    await page.getByRole('button', { name: 'Save key' }).click();
    const choice = page.getByTestId('weak-storage-choice');
    await choice.waitFor();
    expect(await choice.textContent()).toMatch(/no keychain to protect the key.*The OS reports "no keychain"/s);
    await shot('settings-basic-text-choice');
    await accessible('the basic_text choice');
    expect(station.connections.readKey('spirii-sandbox').ok).toBe(false); // nothing stored yet
    await page.getByRole('button', { name: 'Keep it for this session only' }).click();
    await page.locator('[data-testid="key-state"][data-state="session"]').waitFor();
    expect(await page.getByTestId('key-state').textContent()).toMatch(/this session only/);
    await shot('settings-basic-text-session');
    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });

  it('in Danish: the test steps, the key storage, a refused key with the server\'s own text, and the trail\'s details', async () => {
    station.preferences.update({ locale: 'da' });
    await page.goto(`${bridge.url}#/settings`);
    await page.reload();
    await page.getByTestId('storage-warning').getByText('Nøgler på denne computer er ikke beskyttet af en nøglering (ingen nøglering).').waitFor();
    await page.getByRole('radio', { name: /Egen URL/ }).check();
    // Without its keychain, the key stored under GNOME cannot be read: said in Danish.
    expect(await page.getByTestId('key-state').textContent()).toContain('Den gemte nøgle kan ikke læses på denne computer');
    // The connection in use cannot be used: worded from the core's detail, not its English.
    expect(await page.getByTestId('connection-problem').textContent()).toBe(
      'Den gemte API-nøgle kan ikke læses på denne computer eller af denne bruger (nøgleringen er ændret): indtast nøglen igen.',
    );
    keychain.backend = 'gnome_libsecret';
    await page.reload();
    await page.getByRole('radio', { name: /Egen URL/ }).check();
    await page.locator('[data-testid="key-state"][data-state="stored"]').waitFor();
    expect(await page.getByTestId('key-state').textContent()).toContain('Nøglen er gemt i GNOME Keyring');
    await page.getByRole('button', { name: 'Test forbindelsen' }).click();
    const check = page.locator('[data-testid="connection-check"][data-ok="true"]');
    await check.waitFor();
    const steps = await check.locator('[data-step] .step-detail').allTextContents();
    expect(steps).toEqual([
      expect.stringMatching(/^127\.0\.0\.1 svarer på port \d+$/),
      'Almindelig http til en server på denne computer: ingen TLS',
      'API-nøglen blev godkendt',
      expect.stringMatching(/^Tokens kan vises \(\d+ i alt\)$/),
    ]);
    await check.getByText('Alt virker: forbindelsen er klar.').waitFor();
    await shot('settings-danish');

    // A refused key: the sentence in Danish, the server's own error text kept as it came.
    await page.getByRole('textbox', { name: 'URL' }).fill(hostileUrl);
    await page.getByRole('button', { name: 'Skift nøgle' }).click();
    await page.getByLabel('API-nøgle').fill(WRONG_KEY);
    await page.getByRole('button', { name: 'Test forbindelsen' }).click();
    const keyStep = page.locator('[data-testid="connection-check"][data-ok="false"] [data-step="key"] .step-detail');
    await keyStep.waitFor();
    expect(await keyStep.textContent()).toBe(`API-nøglen blev afvist (401: ${HOSTILE_ERROR})`);
    expect(await page.locator('[data-testid="connection-check"] [data-step="tokens"] .step-detail').textContent()).toBe('Ikke prøvet: et tidligere trin fejlede');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot('settings-refused-danish');

    // The trail: action names, detail names and fixed values in Danish; the operator's name, URLs and labels as they are.
    await page.goto(`${bridge.url}#/activity`);
    const table = page.getByTestId('audit-table');
    await table.locator('tr[data-action="connection"]').first().waitFor();
    const connection = await table.locator('tr[data-action="connection"]').allTextContents();
    expect(connection.join('\n')).toContain('Forbindelse');
    expect(connection.join('\n')).toContain('ændring: nøgle gemt · opbevaring: styresystemets nøglering');
    expect(connection.join('\n')).toContain(`ændring: valgt · fra: builtin-sandbox · til: custom · URL: ${remote.url}`);
    expect(connection.join('\n')).toContain('Mette <b>Hansen</b>');
    const enrolled = await table.locator('tr[data-action="enroll"]').first().textContent();
    expect(enrolled).toContain(`etiket: ${HOSTILE_LABEL}0001`);
    expect(enrolled).toContain('Tilmelding');
    await shot('activity-danish');

    station.preferences.update({ locale: 'en' });
    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
