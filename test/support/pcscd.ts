/**
 * The machine's one pcscd, for the tests that stop and restart it (only the readers' tests do).
 * Processes are found by exact name and ended by pid, as .ci/run starts them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function pcscdPids(): number[] {
  const result = spawnSync('pgrep', ['-x', 'pcscd'], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/** vpcd listens for virtual cards on 35963 (0x8C7B) once pcscd has loaded it. */
export function vpcdListening(): boolean {
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((file) => {
    try {
      return /^ *\d+: [0-9A-F]+:8C7B [0-9A-F]+:0000 0A/m.test(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
  });
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopPcscd(): Promise<void> {
  for (const pid of pcscdPids()) process.kill(pid, 'SIGTERM');
  await until(() => pcscdPids().length === 0 && !vpcdListening(), 10_000, 'pcscd to stop');
}

export async function startPcscd(): Promise<void> {
  if (pcscdPids().length === 0) execFileSync('pcscd');
  await until(vpcdListening, 10_000, 'vpcd to listen on 35963');
}
