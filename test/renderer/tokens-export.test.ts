/**
 * The Tokens screen's "Export…" in real Chromium against the real core and its built-in sandbox
 * (3,000 seeded tokens): the tokens matching the screen's filters and sort are written by the core
 * to the file chosen in its save dialog (scripted here: Electron's native dialog cannot run), with
 * progress and a cancel, in English and Danish, and recorded in the audit trail.
 */
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { SpiriiToken } from '../../electron/core/token';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';
import { seedSandbox } from '../support/seed';
import { axeViolations, describeViolations } from '../support/axe';
import { ScriptedDialogs } from '../io/support';

describe('Tokens screen: Export…', () => {
  let app: App, station: Station, bridge: Bridge, page: Page, watcher: App['watcher'];
  let seeded: SpiriiToken[];
  const dialogs = new ScriptedDialogs();

  beforeAll(async () => {
    app = await openApp({
      beforeStation: (dataDir) => (seeded = seedSandbox(dataDir, 3000)),
      station: { dialogs, readers: { simulated: true, pcsc: false }, sync: { autoStart: false } },
      page: { viewport: { width: 1440, height: 900 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page, watcher } = app);
  });

  afterAll(() => app?.close());

  it("exports the tokens matching the screen's filters and sort, with progress and a cancel, and audits it", async () => {
    await page.goto(bridge.url + '#/tokens');
    await page.getByTestId('token-count').getByText('3,000 tokens').waitFor();
    await page.getByLabel('Type').selectOption('rfid');
    await page.getByRole('combobox', { name: 'Customer' }).fill('1003');
    await page.getByRole('option', { name: /Fjordhavn Kommune/ }).click();
    await page.getByLabel('Sort by').selectOption('createdAt');
    await page.getByLabel('Direction').selectOption('asc');
    const expected = seeded
      .filter((t) => t.identifier.type === 'rfid' && t.customerId === 1003)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((t) => String(t.id));
    expect(expected.length).toBeGreaterThan(100);
    await page.getByTestId('token-count').getByText(`${expected.length} tokens`).waitFor();

    await page.getByRole('button', { name: 'Export…' }).click();
    const box = page.getByRole('dialog', { name: 'Export these tokens' });
    await box.waitFor();
    expect(await box.textContent()).toContain(`The ${expected.length} tokens in Spirii matching the current filters and sort.`);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      expect(violations, `export dialog (${scheme}):\n${describeViolations(violations)}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // Slow pages, so the progress is there to see.
    station.sandbox!.setFaults({ latencyMs: 300 });
    const target = path.join(app.dataDir, 'rfid-1003.csv');
    dialogs.answer(target);
    await box.getByLabel('File format').selectOption('csv');
    await box.getByLabel('Separator').selectOption(',');
    // The API's names, for a file to import again (headers for people are the default).
    expect(await box.getByLabel('Column headers').inputValue()).toBe('human');
    await box.getByLabel('Column headers').selectOption('api');
    await box.getByRole('button', { name: 'Choose file and export' }).click();
    await box.getByTestId('export-tokens-progress').waitFor();
    await app.screenshot('tokens-export-progress');
    await box.getByTestId('export-tokens-result').getByText(`Saved ${expected.length} tokens to rfid-1003.csv.`).waitFor({ timeout: 20_000 });
    await app.screenshot('tokens-export-done');
    const rows = parse(readFileSync(target, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(new Set(rows.map((r) => r.customerId))).toEqual(new Set(['1003']));

    const audited = station.audit.list({ actions: ['export'] });
    expect(audited).toHaveLength(1);
    expect(audited[0]!.subject).toBe('rfid-1003.csv');
    expect(audited[0]!.details).toMatchObject({ call: 'export.tokens', source: 'spirii', format: 'csv', spiriiFilters: { customerId: 1003, type: 'rfid', sortBy: 'createdAt', sortDirection: 'asc' } });

    // Cancel: nothing written, nothing audited.
    const never = path.join(app.dataDir, 'never.xlsx');
    dialogs.answer(never);
    await box.getByLabel('File format').selectOption('xlsx');
    await box.getByRole('button', { name: 'Choose file and export' }).click();
    await box.getByTestId('export-tokens-progress').waitFor();
    await box.getByRole('button', { name: 'Cancel' }).click();
    await box.getByTestId('export-tokens-cancelled').getByText('Cancelled: nothing was written.').waitFor();
    expect(existsSync(never)).toBe(false);
    expect(station.audit.list({ actions: ['export'] })).toHaveLength(1);
    station.sandbox!.setFaults({ latencyMs: 0 });
    await box.getByRole('button', { name: 'Close' }).click();
    await box.waitFor({ state: 'hidden' });

    // Danish.
    await station.preferences.update({ locale: 'da' });
    await page.reload();
    await page.getByRole('button', { name: 'Eksportér…' }).click();
    const da = page.getByRole('dialog', { name: 'Eksportér disse tokens' });
    await da.getByRole('button', { name: 'Vælg fil og eksportér' }).waitFor();
    await app.screenshot('tokens-export-danish');
    await da.getByRole('button', { name: 'Luk' }).click();
    await station.preferences.update({ locale: null });

    expect(await watcher.problems()).toEqual([]);
    expect(bridge.failures).toEqual([]);
  }, 60_000);
});
