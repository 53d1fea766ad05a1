/**
 * The Enroll screen on a full disk, in real Chromium against the real core: a tap the database
 * refuses is shown as "Card NOT saved", and the next tap after space is freed is queued. The data
 * folder is on a small tmpfs (see ../support/full-disk.ts for how this runs without root).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../support/app-harness';
import { fullDiskTestsRun, mountSmallDisk, type SmallDisk } from '../support/full-disk';

const run = fullDiskTestsRun();

describe.runIf(run)('Enroll screen on a full disk', () => {
  let disk: SmallDisk;
  let app: App;
  const tmpdir = process.env.TMPDIR;

  beforeAll(async () => {
    disk = mountSmallDisk(8);
    // The harness makes its data folder under the temp folder: on the small disk.
    process.env.TMPDIR = disk.dir;
    try {
      app = await openApp({
        station: { readers: { simulated: true, pcsc: false }, sync: { autoStart: false } },
        beforeBridge: (station) => station.enrollmentDefaults.update({ customerId: 1003, labelPrefix: 'FJH-' }),
        page: { viewport: { width: 800, height: 560 }, deviceScaleFactor: 2, colorScheme: 'light' },
      });
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
  });
  afterAll(async () => {
    disk?.free();
    await app?.close();
    disk?.unmount();
  });

  it('says the card was NOT saved, then takes the next tap once there is room', async () => {
    const { page, bridge, station } = app;
    await page.goto(bridge.url);
    const tap = page.getByRole('button', { name: /Simulate tap/ });
    await tap.waitFor();

    disk.fill(0);
    await tap.click();
    const refused = page.locator('[data-testid="last-tap"][data-status="refused"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('Card NOT saved');
    expect(await refused.textContent()).toMatch(/was NOT saved: the disk holding the data folder is full or cannot be written/);
    await app.screenshot('enroll-full-disk-800x560@2x');
    expect(station.queue.list()).toEqual([]);

    disk.free();
    await tap.click();
    await page.locator('[data-testid="last-tap"][data-status="queued"]').waitFor();
    expect(station.queue.list()).toHaveLength(1);
  }, 60_000);
});
