// Bundles the Electron main process and the preload with esbuild. The main bundle keeps Electron
// and the native packages external (they load from node_modules at run time); the sandboxed preload
// may require only 'electron', so everything else is bundled into it.
import { build } from 'esbuild';

const native = ['better-sqlite3', 'nfc-pcsc', '@pokusew/pcsclite', 'node-hid'];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/main/index.ts'],
    outfile: 'dist/main/index.cjs',
    external: ['electron', ...native],
    // The core is ESM and uses import.meta.url (createRequire); give it the CommonJS equivalent.
    define: { 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    entryPoints: ['electron/preload/index.ts'],
    outfile: 'dist/preload/index.cjs',
    minify: true,
    external: ['electron'],
  }),
]);
