/**
 * The Readers screen and the keyboard-wedge capture in real Chromium against the real core. PC/SC
 * is pointed at a missing addon so that a reader error (with what to do) is there to show; the
 * wedge is Chromium's keyboard typing at a reader's speed, and at a person's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

describe('Readers screen', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { pcsc: true, simulated: true }, native: { pcsc: '/nonexistent/pcsclite.node' }, sync: { autoStart: false } },
      beforeBridge: (station) => {
        station.enrollmentDefaults.update({ customerId: 1001 });
        station.readerSettings.update({ wedgeFormat: 'decimal' });
      },
      page: { viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
    });
    ({ station, bridge, page, watcher } = app);
  });
  afterAll(() => app?.close());

  it('shows the readers, the active one, the last error with what to do, and a UID in every format', async () => {
    await page.goto(`${bridge.url}#/readers`);
    const list = page.getByTestId('reader-list');
    await list.waitFor();
    expect(await list.textContent()).toMatch(/Simulated reader.*enrolling/);
    expect(await page.getByTestId('last-error').textContent()).toMatch(/PC\/SC is not available/);
    expect(await page.locator('.hint').textContent()).toMatch(/What to do: Install the PC\/SC service and library/);

    await page.getByRole('textbox', { name: 'UID' }).fill('2158232226');
    await page.getByRole('combobox', { name: 'Written as' }).selectOption('decimal');
    const formats = page.getByTestId('uid-formats');
    await expect.poll(() => formats.textContent()).toMatch(/Stored as80A402A2/);
    const text = (await formats.textContent())!;
    expect(text).toContain('80:A4:02:A2');
    expect(text).toContain('A202A480');
    expect(text).toContain('2718082176');

    // Decimal is whole digits; a 0x prefix is hex; the cascade tag is refused with its reason.
    await page.getByRole('textbox', { name: 'UID' }).fill('1.5');
    const converter = page.locator('.converter');
    await expect.poll(() => converter.getByRole('alert').textContent()).toBe('"1.5" is not a decimal number (only 0-9 are allowed)');
    await page.getByRole('combobox', { name: 'Written as' }).selectOption('hex');
    await page.getByRole('textbox', { name: 'UID' }).fill('0x80A402A2');
    await expect.poll(() => formats.textContent()).toMatch(/Stored as80A402A2/);
    await page.getByRole('textbox', { name: 'UID' }).fill('88041234');
    await expect.poll(() => converter.getByRole('alert').textContent()).toMatch(/^UID 88041234 starts with 88, the cascade tag/);
  });

  it('catches a wedge typing a decimal UID, shows the conversion, and enrolls it only when confirmed', async () => {
    await page.goto(`${bridge.url}#/readers`);
    await page.getByTestId('reader-list').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // A reader: every key right after the last, then Enter.
    await page.keyboard.type('2158232226');
    await page.keyboard.press('Enter');
    const read = page.getByTestId('wedge-read');
    await read.waitFor();
    expect(await read.textContent()).toMatch(/typed 2158232226 \(Decimal\); it is the UID 80A402A2/);
    expect(station.queue.list()).toEqual([]); // shown before anything is queued
    await app.screenshot('readers-wedge', { fullPage: true });
    await read.getByRole('button', { name: 'Enroll this card' }).click();
    await expect.poll(() => station.queue.list().map((t) => [t.uid, t.source])).toEqual([['80A402A2', 'hid:Keyboard wedge (window)']]);
    await expect.poll(() => page.getByTestId('last-card').textContent()).toMatch(/80A402A2.*Queued/);
    expect(await page.getByTestId('last-card').locator('.pill').textContent()).toBe('Queued');

    // The same card again from the simulated reader: refused as a duplicate, in words, in both languages.
    station.simulated!.present('80A402A2');
    const pill = page.getByTestId('last-card').locator('.pill');
    await expect.poll(() => pill.getAttribute('data-outcome')).toBe('refused');
    expect(await pill.textContent()).toBe('Refused');
    await station.preferences.update({ locale: 'da' });
    await page.reload();
    await page.getByTestId('last-card').waitFor();
    expect(await page.getByTestId('last-card').locator('.pill').textContent()).toBe('Ikke tilføjet');
    expect(await page.getByTestId('reader-list').textContent()).toMatch(/Simuleret læser\s*\(simuleret\)/);
    await app.screenshot('readers-last-card-danish');
    await station.preferences.update({ locale: null });
    await page.reload();
    await page.getByTestId('reader-list').waitFor();
  });

  it('leaves a person typing digits alone', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.type('4294967', { delay: 120 });
    await page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.getByTestId('wedge-read').count()).toBe(0);
    expect(station.queue.list()).toHaveLength(1);
    expect(await watcher.problems()).toEqual([]);
  });

  it('says the errors, hints, last card and UID problems in Danish, keeping the outside text as it is', async () => {
    await station.preferences.update({ locale: 'da' });
    try {
      await page.goto(`${bridge.url}#/readers`);
      await page.reload();
      await page.getByTestId('reader-list').waitFor();

      // The error the core made when PC/SC would not load: Danish around the loader's own words.
      const error = (await page.getByTestId('last-error').textContent())!;
      expect(error).toMatch(/PC\/SC er ikke tilgængelig: .*\/nonexistent\/pcsclite\.node.*Installér chipkorttjenesten \(pcscd på Linux\), og genstart\./);
      expect(error).toContain('[unavailable]');
      expect(error).not.toMatch(/is not available|Install the/);
      const hint = (await page.locator('.hint').textContent())!;
      expect(hint).toMatch(process.platform === 'linux' ? /^Det kan du gøre: Installér PC\/SC-tjenesten og -biblioteket \(det kan IT gøre/ : /^Det kan du gøre: /);
      // The commands themselves are for IT, behind the disclosure.
      if (process.platform === 'linux') expect(await page.getByTestId('hint-for-it').textContent()).toContain('"sudo apt install pcscd libpcsclite1"');
      const setup = (await page.getByTestId('setup-for-it').textContent())!;
      expect(setup).toMatch(process.platform === 'linux' ? /PC\/SC-læsere kræver pcscd: "sudo systemctl enable --now pcscd\.socket"; "pcsc_scan" viser dem\./ : /PC\/SC-læsere/);
      expect(setup).not.toMatch(/readers need|never appears|type into the window/);
      // The alert line at the top says it too.
      const notice = page.getByRole('alert').filter({ hasText: 'PC/SC' }).first();
      expect(await notice.textContent()).toMatch(/PC\/SC er ikke tilgængelig: .*\/nonexistent\/pcsclite\.node/);

      // The card enrolled earlier, tapped again on the simulated reader: refused, with where it already is.
      station.simulated!.present('80A402A2');
      const why = page.getByTestId('last-card-why');
      await expect.poll(() => why.textContent()).toBe('Kort 80A402A2 står allerede i køen (i kø, kunde 1001)');
      expect(await page.getByTestId('last-card').textContent()).toMatch(/80A402A2\s*simuleret · Simuleret læser · .*Ikke tilføjet/);

      // The UID converter's errors and warnings.
      await page.getByRole('textbox', { name: 'UID' }).fill('zz');
      await page.getByRole('combobox', { name: 'Skrevet som' }).selectOption('hex');
      const converter = page.locator('.converter');
      await expect.poll(() => converter.getByRole('alert').textContent()).toBe('UID "zz" er ikke hexadecimalt (kun 0-9 og A-F er tilladt)');
      await page.getByRole('textbox', { name: 'UID' }).fill('04A22');
      await expect.poll(() => converter.getByRole('alert').textContent()).toBe('UID "04A22" har et ulige antal hex-cifre (5); hver byte er to cifre');
      await page.getByRole('textbox', { name: 'UID' }).fill('08A1B2C3');
      await expect.poll(() => converter.locator('.field-error').textContent()).toMatch(/^UID 08A1B2C3 er et tilfældigt ID \(4 byte, der starter med 08\)/);
      // A UID cut short at the cascade tag, and one of a repeated byte: refused, in Danish.
      await page.getByRole('textbox', { name: 'UID' }).fill('88041234');
      await expect.poll(() => converter.getByRole('alert').textContent()).toMatch(/^UID 88041234 starter med 88, kaskademærket: det er første del af et UID på 7 byte/);
      await page.getByRole('textbox', { name: 'UID' }).fill('00:00:00:00');
      await expect.poll(() => converter.getByRole('alert').textContent()).toMatch(/^UID 00000000 er den samme byte gentaget/);

      // A keyboard wedge set to decimal typing hex letters: what is wrong, in Danish.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.type('A1B2C3D4E5');
      await page.keyboard.press('Enter');
      const read = page.getByTestId('wedge-read');
      await read.waitFor();
      expect(await read.locator('.field-error').textContent()).toBe('"A1B2C3D4E5" er ikke et decimaltal (kun 0-9 er tilladt)');
      await app.screenshot('readers-danish', { fullPage: true });
      await read.getByRole('button', { name: 'Kassér' }).click();

      // Settings › Reader: a HID device that is not a VID:PID is refused in Danish.
      await page.goto(`${bridge.url}#/settings`);
      const hid = page.getByRole('textbox', { name: /HID-læsere der læses direkte/ });
      await hid.fill('FFFF:0035, nope');
      await hid.press('Tab');
      await expect.poll(() => page.getByTestId('reader-settings-problem').textContent()).toBe('"nope" er ikke et VID:PID i hex, fx FFFF:0035.');
      expect(station.readerSettings.value.hidDevices).toEqual([]);
      await page.locator('.reader-settings').screenshot({ path: 'test-results/screenshots/reader-settings-danish.png' });
      expect(station.queue.list()).toHaveLength(1);
      expect(await watcher.problems()).toEqual([]);
    } finally {
      await station.preferences.update({ locale: null });
    }
  });
});
