/**
 * Sizes of the built Electron bundles (from `npm run build`). The preload is loaded before every
 * window's first paint and has a 40 KB budget (test/electron/shell.test.ts): it carries the
 * contract's names only, the schemas stay in the main bundle.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

export function bundleSizes(): void {
  console.log('\nElectron bundles (minified preload, main as built)');
  for (const bundle of ['dist/preload/index.cjs', 'dist/main/index.cjs']) {
    const file = path.join(root, bundle);
    const size = fs.existsSync(file) ? `${(fs.statSync(file).size / 1024).toFixed(1)} KB` : 'not built (run "npm run build")';
    console.log(`  ${bundle.padEnd(46)} ${size}`);
  }
}
