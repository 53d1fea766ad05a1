/**
 * Child processes for the files benchmark, so that the sandbox and the exporting client each have
 * their own process (CPU and peak memory measured apart):
 *   files-child.ts sandbox STATE_FILE          serve the sandbox with that state; prints its URL
 *   files-child.ts export URL FORMAT OUT       export every token; prints {ms, rows, maxRssMB}
 *   files-child.ts raw URL                     fetch every page, one after another; prints {ms}
 */
import { performance } from 'node:perf_hooks';
import { startSandbox } from '../../electron/sandbox/server';
import { SpiriiClient } from '../../electron/core/api/client';
import { runExport } from '../../electron/core/io/export';
import type { ExportFormat } from '../../electron/core/io/shapes';

const KEY = 'bench-files';
const [mode, a, b, c] = process.argv.slice(2);

if (mode === 'sandbox') {
  const sandbox = await startSandbox({ apiKey: KEY, statePath: a!, rateLimit: false });
  console.log(sandbox.url);
  process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
} else if (mode === 'raw') {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let offset = 0;
  for (;;) {
    const response = await fetch(`${a}/v2/tokens?sortBy=id&sortDirection=asc&limit=1000&offset=${offset}`, { headers: { authorization: `Bearer ${KEY}` } });
    const page = JSON.parse(await response.text()) as { data: unknown[]; count: number };
    offset += page.data.length;
    if (page.data.length < 1000 || offset >= page.count) break;
  }
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, rows: offset }));
} else if (mode === 'export') {
  const client = new SpiriiClient({ baseUrl: a!, apiKey: KEY });
  const cpu = process.cpuUsage();
  const start = performance.now();
  // The export needs no database for the Spirii source; null stands in for it.
  const result = await runExport({ queue: null as never, client }, { source: 'spirii', format: b as ExportFormat }, c!);
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, rows: result.rows, bytes: result.bytes, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
