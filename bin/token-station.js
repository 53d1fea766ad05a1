#!/usr/bin/env node
// The CLI runs the TypeScript core directly through tsx, so `npx token-station` works right after
// `npm install`, with no build step and no stale build.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/main.ts');
