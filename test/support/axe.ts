/**
 * An accessibility check with axe-core for any screen of the app, in the page as it is.
 *
 * The app's CSP (script-src 'self') rightly refuses an inline <script>, so axe is not added as a
 * script tag: its source is evaluated through the DevTools protocol (page.evaluate), which the
 * page's CSP does not govern. Nothing in the product's policy is weakened for the test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe on the page (or a part of it) and returns every violation of the given impacts. */
export async function axeViolations(page: Page, options: { include?: string; impacts?: string[] } = {}): Promise<A11yViolation[]> {
  const impacts = options.impacts ?? ['serious', 'critical'];
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(include ? { include: [include] } : document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations as { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  }, options.include ?? null);
  return violations
    .filter((violation) => violation.impact !== null && impacts.includes(violation.impact))
    .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => node.target.join(' ')) }));
}

/** Readable lines for an assertion message. */
export function describeViolations(violations: readonly A11yViolation[]): string {
  return violations.map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.targets.slice(0, 3).join(', ')}`).join('\n');
}
