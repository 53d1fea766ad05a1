/**
 * Every screen of the window in English and Danish, light and dark, at 1366x768 (and the screens
 * with dates at 800x560 and at 200% zoom), against the real core and the built-in sandbox with a
 * few tokens, queued cards and audit entries, so there is something on each screen to look at.
 *
 *   npx vite build && npx tsx scripts/screenshots.ts [out-folder]
 *
 * PNGs go to test-results/screens/ (git-ignored): <screen>-<en|da>-<light|dark>.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openApp } from '../test/support/app-harness';
import { seedSandbox } from '../test/support/seed';

const OUT = path.resolve(process.argv[2] ?? 'test-results/screens');
const SCREENS = ['enroll', 'queue', 'summary', 'tokens', 'files', 'readers', 'activity', 'settings', 'cards'] as const;
/** Screens with date fields, also shot small and zoomed. */
const SMALL = ['tokens', 'enroll'] as const;

mkdirSync(OUT, { recursive: true });
const app = await openApp({
  station: { readers: { simulated: true, pcsc: false }, sync: { autoStart: false } },
  beforeStation: (dataDir) => seedSandbox(dataDir, 120),
  beforeBridge: async (station) => {
    await station.syncSettings.update({ holdMinutes: 60 });
    station.enrollmentDefaults.update({ customerId: 1001, customerName: 'Acme Fleet ApS', labelPrefix: 'DK.ACME.', labelNext: 1 });
    for (const [i, uid] of ['04A1B2C3D4E501', '04A1B2C3D4E502', '04A1B2C3D4E503'].entries()) {
      station.enrollment.tap(uid, 'simulated:Simulated reader', { customerId: 1001 + i, label: `DK.ACME.000${i + 1}` });
    }
    station.audit.record('enroll', { tokenId: 1, label: 'DK.ACME.0001', customerId: 1001, comment: null, source: 'simulated:Simulated reader' }, '04A1B2C3D4E501');
  },
  page: { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-US' },
});
const { page, bridge, station } = app;
const shots: string[] = [];
const shoot = async (name: string) => {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  shots.push(file);
};
const open = async (screen: string) => {
  await page.goto(`${bridge.url}#/${screen}`);
  await page.locator('main').waitFor();
  // Lists fill from the core and names from the customer cache: give them a moment.
  await page.waitForTimeout(700);
};
try {
  for (const locale of ['en', 'da'] as const) {
    station.preferences.update({ locale });
    await page.goto(`${bridge.url}#/enroll`);
    await page.reload();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const screen of SCREENS) {
        await open(screen);
        await shoot(`${screen}-${locale}-${scheme}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 800, height: 560 });
    for (const screen of SMALL) {
      await open(screen);
      await shoot(`${screen}-${locale}-800x560`);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
    for (const screen of SMALL) {
      await open(screen);
      await page.evaluate(() => ((document.body.style as CSSStyleDeclaration & { zoom: string }).zoom = '2'));
      await shoot(`${screen}-${locale}-zoom200`);
    }
  }
  station.preferences.update({ locale: null });
  console.log(`${shots.length} screenshots in ${OUT}`);
} finally {
  await app.close();
}
