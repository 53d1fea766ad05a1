import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    // Integration tests share one pcscd and its two virtual readers: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for something to become true; on a loaded 2-core CI machine a second (the
    // default) is short for a window to redraw or a pass to end. A poll that needs a bound says so.
    expect: { poll: { timeout: 3_000 } },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
