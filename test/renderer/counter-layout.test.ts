/**
 * The Enroll screen at the sizes a desk has: 800×560, a 1366×768 laptop (also at 200% zoom),
 * 1920×1080. Real Chromium, real core; screenshots in test-results/screenshots to look at.
 * Checked: no horizontal scrolling (WCAG 1.4.10), every screen's tab in view, a UID broken only
 * between byte groups, the customer's full name, the session list not covered by the panel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Station } from '../../electron/core/station';
import type { Bridge } from '../support/bridge';
import { openApp, type App } from '../support/app-harness';

const LONG_NAME = 'Fjordhavn Kommune, Teknik- og Miljøforvaltningen, Vej og Park';
const UID = '04A224B2C35D80A1B2C3'; // 10 bytes: the longest UID a card has

/** What the page shows, measured in the page itself. */
function measure(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const main = document.querySelector('main') as HTMLElement;
    const tabs = [...document.querySelectorAll('nav a, nav button, [role="tab"]')].map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.textContent?.trim(), visible: r.width > 0 && r.left >= 0 && r.right <= innerWidth + 0.5 };
    });
    /** Where an element's text wraps: the index of each character that starts a new line, and the text. */
    const wraps = (element: Element | null) => {
      const breaks: number[] = [];
      let text = '';
      let lastTop: number | null = null;
      if (!element) return { breaks, text };
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.textContent!.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const top = range.getBoundingClientRect().top;
          if (lastTop !== null && top > lastTop + 2) breaks.push(text.length);
          lastTop = top;
          text += node.textContent![i];
        }
      }
      return { breaks, text };
    };
    /** Breaks inside a word (not after a space, hyphen or comma). */
    const midWord = (element: Element | null) => {
      const { breaks, text } = wraps(element);
      return breaks.filter((i) => !/[\s,-]/.test(text[i - 1] ?? ' ') && !/\s/.test(text[i] ?? ' ')).map((i) => `${text.slice(0, i)}|${text.slice(i)}`);
    };
    const customer = document.querySelector('[data-testid="last-tap"] .customer') as HTMLElement;
    return {
      horizontalScroll: root.scrollWidth > root.clientWidth + 1 || main.scrollWidth > main.clientWidth + 1,
      tabs,
      uidBreaks: wraps(document.querySelector('[data-testid="last-tap-uid"]')).breaks,
      midWord: [
        ...midWord(document.querySelector('[data-testid="selected-customer"] .name')),
        ...midWord(document.querySelector('[data-testid="last-tap"] .customer')),
        ...midWord(document.querySelector('[data-testid="last-tap-label"]')),
      ],
      customer: { text: customer.textContent, clipped: customer.scrollWidth > customer.clientWidth + 1 },
    };
  });
}

/** The first row of the session list, scrolled into view: is it what is at its centre (not the panel)? */
async function sessionRowUncovered(page: Page): Promise<boolean> {
  const row = page.locator(`tr[data-uid="${UID}"]`);
  await row.scrollIntoViewIfNeeded();
  return row.evaluate((tr) => {
    const r = tr.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && tr.contains(hit);
  });
}

describe('the Enroll screen at desk sizes', () => {
  let app: App, station: Station, bridge: Bridge, page: Page;

  beforeAll(async () => {
    app = await openApp({
      station: { readers: { simulated: true, pcsc: false } },
      beforeBridge: (s) => {
        s.syncSettings.update({ holdMinutes: 0 });
        s.enrollmentDefaults.update({ customerId: 1003, customerName: LONG_NAME, labelPrefix: 'DK.SPI.V', labelNext: 3198, labelDigits: 5 });
      },
      page: { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-GB' },
    });
    ({ station, bridge, page } = app);
    await page.goto(bridge.url);
    await page.getByTestId('selected-customer').waitFor();
    station.simulated!.present(UID);
    await page.locator('[data-testid="last-tap"][data-status="queued"]').waitFor();
  });

  afterAll(() => app?.close());

  it('puts the focus where the next action is, has a skip link past the tabs, and opens each screen at its top', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    // Choose another customer from the keyboard: the focus lands on the panel that shows the next card.
    await page.keyboard.press('Alt+c');
    await page.keyboard.type('acme');
    await page.getByRole('option', { name: /Acme Fleet ApS/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('selected-customer').getByText('Acme Fleet ApS').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('last-tap');

    // The skip link is the first stop and passes the header and the tab bar.
    await page.reload();
    await page.getByTestId('selected-customer').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to the screen');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // Scrolled down on Enroll, then to the Queue screen and back: each opens at its top.
    const scrollTop = () => page.evaluate(() => document.getElementById('main')!.scrollTop);
    await page.evaluate(() => document.getElementById('main')!.scrollTo(0, 10_000));
    expect(await scrollTop()).toBeGreaterThan(0);
    await page.keyboard.press('Alt+2');
    await expect.poll(() => page.url()).toContain('#/queue');
    await expect.poll(scrollTop).toBe(0);
    await page.evaluate(() => document.getElementById('main')!.scrollTo(0, 10_000));
    await page.keyboard.press('Alt+1');
    await expect.poll(() => page.url()).toContain('#/enroll');
    await expect.poll(scrollTop).toBe(0);
  });

  it('speaks Danish at the counter: the waiting card, a stray tap, the list of refusals, the batch', async () => {
    station.preferences.update({ locale: 'da' });
    station.enrollmentDefaults.update({ labelMode: 'typed' });
    try {
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.reload();
      station.simulated!.present('04D1D2D3D4D5D6');
      await page.getByTestId('label-waiting').waitFor();
      station.simulated!.present('04E1E2E3E4E5E6');
      await page.locator('[data-testid="last-tap"][data-status="refused"]').waitFor();
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toContain('Kort 04D1D2D3D4D5D6 venter på sin etiket');
      expect(text).toContain('Læg kortet tilbage');
      expect(text).toContain('Kræver din opmærksomhed');
      expect(text).toContain('Tilmeld 20 kort');
      expect(text).toContain('Skrives/scannes');
      await app.screenshot('counter-danish-waiting');
      await page.getByTestId('typed-label').press('Escape');
      await expect.poll(() => page.getByTestId('label-waiting').count()).toBe(0);
    } finally {
      station.enrollment.skipLabel();
      station.enrollmentDefaults.update({ labelMode: 'numbered' });
      station.preferences.update({ locale: 'en' });
    }
    await page.reload();
    await page.getByTestId('selected-customer').waitFor();
  });

  for (const [name, width, height, scale] of [
    ['800x560', 800, 560, 1],
    ['1366x768', 1366, 768, 1],
    ['1920x1080', 1920, 1080, 1],
    // 200% zoom on a 1366×768 laptop: half the CSS pixels, twice the device pixels.
    ['1366x768-200pct', 683, 384, 2],
  ] as const) {
    it(`holds at ${name}`, async () => {
      if (station.enrollmentDefaults.value.customerName !== LONG_NAME) {
        station.enrollmentDefaults.update({ customerId: 1003, customerName: LONG_NAME });
        station.simulated!.present(UID);
        await page.locator('[data-testid="last-tap"] .customer').getByText(LONG_NAME).waitFor();
      }
      if (scale === 1) await page.setViewportSize({ width, height });
      else {
        const zoomed = await app.browser.newPage({ viewport: { width, height }, deviceScaleFactor: scale, colorScheme: 'light', locale: 'en-GB' });
        await zoomed.goto(bridge.url);
        await zoomed.locator('[data-testid="last-tap"]').waitFor();
        station.simulated!.present(UID); // the same card again: the panel shows it (refused as a duplicate)
        await zoomed.locator(`[data-testid="last-tap"][data-status="refused"]`).waitFor();
        page = zoomed;
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `test-results/screenshots/counter-layout-${name}.png`, animations: 'disabled', fullPage: false });
      const seen = await measure(page);
      expect(seen.horizontalScroll).toBe(false);
      expect(seen.tabs.filter((tab) => !tab.visible)).toEqual([]);
      expect(seen.tabs.length).toBeGreaterThanOrEqual(8);
      // A UID wraps only between byte groups (an even number of hex digits before each break).
      expect(seen.uidBreaks.filter((i) => i % 2 !== 0)).toEqual([]);
      // The customer's name and the label never wrap in the middle of a word.
      expect(seen.midWord).toEqual([]);
      expect(seen.customer).toEqual({ text: LONG_NAME, clipped: false });
      expect(await sessionRowUncovered(page)).toBe(true);
    });
  }
});
