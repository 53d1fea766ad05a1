/**
 * A replacement survives a SIGKILL at every step. The real core runs in a child process
 * (test/support/replace-child.ts) against the sandbox, through a proxy that holds one request at
 * the step where the crash is to land, and the child is killed with SIGKILL right there:
 *   1. the job and the new token written, nothing sent;
 *   2. the new token's POST applied in Spirii, its answer lost;
 *   3. the new token in Spirii, the old one's read-back not yet answered;
 *   4. the deactivation sent, not yet arrived;
 *   5. the deactivation applied in Spirii, its answer lost.
 * After each kill the old card is still active unless its deactivation reached Spirii, and the next
 * process goes on from there: at the end the new token exists once and is active, the old one is
 * inactive with its comment naming the new card, and the deactivation was applied once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../electron/sandbox/server';
import { SpiriiClient } from '../../electron/core/api/client';
import { startHoldProxy, type Hold, type HoldProxy } from '../support/hold-proxy';
import { tempDir } from '../support/temp';
import type { Replacement } from '../../electron/core/replace';

const CHILD = path.resolve(import.meta.dirname, '..', 'support', 'replace-child.ts');
const KEY = 'replace-crash';
const OLD = '04A224B2C35D80';
const NEW = '04B335C3D46E91';

let dir: string;
let cleanup: () => void;
let sandbox: Sandbox;
let proxy: HoldProxy;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('token-station-replace-crash-'));
  // Duplicate UIDs accepted, so a creation sent twice would show as two tokens instead of a 409.
  sandbox = await startSandbox({ apiKey: KEY, rateLimit: false, duplicateUids: 'accept' });
  proxy = await startHoldProxy(sandbox.url);
  const client = new SpiriiClient({ baseUrl: sandbox.url, apiKey: KEY });
  await client.createTokens([{ customerId: 1002, identifier: { type: 'rfid', uid: OLD, label: 'DK.ACME.0001' }, billingReference: 'PO-77', roamingEnabled: false }]);
});

afterEach(async () => {
  await proxy.close();
  await sandbox.close();
  cleanup();
});

function child(args: string[]): { process: ChildProcess; lines: string[]; firstLine: Promise<string>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, proxy.url, KEY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) early: ${stderr}`)));
  });
  firstLine.catch(() => {});
  return { process: proc, lines, firstLine, exited };
}

async function killAt(hold: Hold): Promise<void> {
  const held = proxy.holdNext(hold);
  const run = child(['run']);
  await Promise.race([held, run.exited.then(() => Promise.reject(new Error(`the child ended before ${hold.method} ${hold.path} was held: ${run.lines.join('\n')}`)))]);
  run.process.kill('SIGKILL');
  await run.exited;
}

const tokens = (uid: string) => sandbox.tokens().filter((t) => t.identifier.uid === uid);
const active = () => sandbox.tokens().filter((t) => t.isActive).map((t) => t.identifier.uid);

it('survives a SIGKILL at every step of a replacement, and applies each step once', { timeout: 120_000 }, async () => {
  // 1. Killed once the job is written.
  const start = child(['start', OLD, NEW, 'DK.ACME.0002']);
  const job = JSON.parse(await start.firstLine) as Replacement;
  expect(job).toMatchObject({ state: 'creating', oldUid: OLD, newUid: NEW });
  start.process.kill('SIGKILL');
  await start.exited;
  expect(active()).toEqual([OLD]);

  // 2. The new token created in Spirii, the answer lost with the process.
  await killAt({ method: 'POST', path: /^\/v2\/tokens$/, when: 'after' });
  expect(tokens(NEW)).toHaveLength(1);
  expect(active().sort()).toEqual([OLD, NEW].sort());

  // 3. Killed while reading the old token back.
  await killAt({ method: 'GET', path: /^\/v2\/tokens\/\d+$/, when: 'before' });
  expect(tokens(OLD)[0]!.isActive).toBe(true);

  // 4. Killed with the deactivation on its way, before Spirii has it.
  await killAt({ method: 'PATCH', path: /^\/v2\/tokens\/\d+$/, when: 'before' });
  expect(tokens(OLD)[0]!.isActive).toBe(true);

  // 5. Killed after Spirii applied the deactivation, before the answer came back.
  await killAt({ method: 'PATCH', path: /^\/v2\/tokens\/\d+$/, when: 'after' });
  expect(tokens(OLD)[0]!.isActive).toBe(false);

  // The next process finds its own deactivation on reading the token back, and sends nothing again.
  const last = child(['run']);
  expect(await last.exited).toBe(0);
  const result = JSON.parse(last.lines.at(-1)!) as { jobs: Replacement[] };
  expect(result.jobs).toHaveLength(1);
  expect(result.jobs[0]).toMatchObject({ id: job.id, state: 'done' });
  expect(tokens(NEW)).toHaveLength(1);
  expect(tokens(NEW)[0]).toMatchObject({ customerId: 1002, isActive: true, billingReference: 'PO-77', roamingEnabled: false, identifier: { label: 'DK.ACME.0002' } });
  expect(tokens(OLD)[0]).toMatchObject({ isActive: false, comment: 'Replaced by card DK.ACME.0002 / 04B335C3D46E91' });
  expect(active()).toEqual([NEW]);
  expect(proxy.forwarded.filter((r) => r.startsWith('POST /v2/tokens'))).toHaveLength(1);
  expect(proxy.forwarded.filter((r) => r.startsWith('PATCH '))).toHaveLength(1);
});
