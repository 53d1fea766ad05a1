/**
 * axe-core on every screen this area owns (Enroll in each of its states, Session summary, Tokens
 * with a token open and its confirmation, Settings), light and dark, English and Danish: no
 * serious or critical violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { seedSandbox } from '../support/seed';
import { axeViolations, describeViolations } from '../support/axe';
import { uidOf } from '../support/tokens';

describe('accessibility (axe-core)', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];

  const check = async (what: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      expect(violations, `${what} (${scheme}):\n${describeViolations(violations)}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  beforeAll(async () => {
    app = await openApp({
      beforeStation: (dataDir) => seedSandbox(dataDir, 500),
      page: { viewport: { width: 1280, height: 860 }, locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it('finds no serious or critical violation on Enroll, in each of its states', async () => {
    await page.goto(bridge.url);
    await page.getByText('Choose a customer to start.').waitFor();
    await check('enroll, empty');

    await page.getByRole('combobox', { name: 'Customer' }).fill('a');
    await page.getByRole('option').first().waitFor();
    await check('enroll, customer search open');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('selected-customer').waitFor();
    await page.getByTestId('token-defaults').locator('summary').click();

    station.simulated!.present(uidOf(0xc1));
    await page.locator('[data-testid="last-tap"][data-status="queued"]').waitFor();
    await page.locator(`tr[data-uid="${uidOf(0xc1)}"] [data-state="synced"]`).waitFor();
    await check('enroll, card queued');
    station.simulated!.present(uidOf(0xc1));
    await page.locator('[data-testid="last-tap"][data-status="refused"]').waitFor();
    await check('enroll, card refused');

    await page.getByRole('radio', { name: 'Typed or scanned' }).check();
    await expect.poll(() => station.enrollmentDefaults.value.labelMode).toBe('typed');
    station.simulated!.present(uidOf(0xc2));
    await page.locator('[data-testid="last-tap"][data-status="label-needed"]').waitFor();
    await check('enroll, label wanted');
    await page.keyboard.press('Escape');
    await page.getByRole('radio', { name: 'Typed or scanned' }).waitFor();
    await page.getByRole('radio', { name: 'Numbered' }).check();
  });

  it('finds none on the Session summary, Tokens (with a token and its confirmation), Queue and Settings', async () => {
    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Session summary' }).waitFor();
    await check('session summary');

    await page.keyboard.press('Alt+4');
    await page.locator('[data-row-index="0"] [role="gridcell"]').first().waitFor();
    await check('tokens');
    await page.getByTestId('token-grid').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('token-detail').waitFor();
    await check('tokens, detail');
    await page.getByTestId('token-detail').getByLabel('Roaming').click();
    await page.getByRole('button', { name: 'Review changes…' }).click();
    await page.getByTestId('confirm-patch').waitFor();
    await check('tokens, confirmation');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.keyboard.press('Alt+2');
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
    await page.locator('tbody tr[data-uid]').first().waitFor();
    await check('queue');

    await page.keyboard.press('Alt+8');
    await page.getByRole('heading', { name: 'General' }).waitFor();
    await check('settings');
    await page.getByLabel('Language').selectOption('da');
    await page.getByRole('heading', { name: 'Generelt' }).waitFor();
    await check('settings, Danish');
    await page.keyboard.press('Alt+1');
    await check('enroll, Danish');

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  });
});
