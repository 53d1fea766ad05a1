#!/usr/bin/env node
// The CLI, bundled into plain JavaScript by scripts/build-cli.js when the project is installed
// (`npm install` runs it as the `prepare` script) and by `npm run build`. Nothing is compiled at
// run time, so start-up costs little more than Node's own. A checkout whose bundle is missing says
// so and how to make it, rather than running something else.
const bundle = new URL('../dist/cli/token-station.mjs', import.meta.url);

try {
  await import(bundle.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/token-station.mjs')) {
    process.stderr.write('token-station: the CLI is not built (dist/cli/token-station.mjs is missing); run "npm run build:cli" in the project folder\n');
    process.exit(1);
  }
  throw error;
}
