#!/usr/bin/env node
// The CLI, bundled into plain JavaScript by scripts/build-cli.js when the project is installed
// (`npm install` runs it as the `prepare` script) and by `npm run build`. Nothing is compiled at
// run time, so start-up costs little more than Node's own. A checkout whose bundle is missing says
// so and how to make it, rather than running something else.
import module from 'node:module';

// Node 22 keeps the code V8 compiled from the bundle's files in its own cache (in the OS temp
// folder, keyed by each file's content, so a rebuilt bundle is compiled afresh), instead of
// compiling them again at every start: most of what a command that loads the core (zod) costs.
// Older Nodes have no such cache; a cache that cannot be written is skipped by Node itself.
module.enableCompileCache?.();

const bundle = new URL('../dist/cli/token-station.mjs', import.meta.url);

try {
  await import(bundle.href);
} catch (error) {
  // The entry, or one of the chunks beside it that it imports (dist/cli/chunks/).
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && /Cannot find module '[^']*?(dist[\\/]cli[\\/][^']*\.mjs)'/.exec(String(error.message));
  if (missing) {
    process.stderr.write(`token-station: the CLI is not built (${missing[1]} is missing); run "npm run build:cli" in the project folder\n`);
    process.exit(1);
  }
  throw error;
}
