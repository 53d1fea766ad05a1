// The CLI's output through a real pipe to a slow reader, as `token-station queue --json | jq` is
// used: every byte arrives, however much there is and however slowly the other end reads.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/sqlite';
import { TokenQueue } from '../../electron/core/queue';
import { BIN, cliEnv } from '../support/cli';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('token-station-cli-pipes-'));
  env = cliEnv({ TOKEN_STATION_DATA_DIR: path.join(dir, 'data') });
});
afterEach(() => cleanup());

const uidOf = (i: number) => `04AB${i.toString(16).toUpperCase().padStart(10, '0')}`;

/** 3,000 queued tokens with long labels and comments: a listing of about 1.5 MB. */
function fillQueue(count = 3000): void {
  const db = openDatabase(path.join(dir, 'data'));
  try {
    const queue = new TokenQueue(db);
    db.transaction(() => {
      for (let i = 1; i <= count; i++) {
        queue.insertQuietly({
          uid: uidOf(i),
          customerId: 1001,
          label: `DK.ACME.${String(i).padStart(6, '0')}`,
          validFrom: null,
          expiresAt: null,
          isActive: true,
          roamingEnabled: true,
          priorityChargingEnabled: false,
          billingReference: 'B'.repeat(100),
          comment: 'C'.repeat(100),
          source: 'test',
        });
      }
    })();
  } finally {
    db.close();
  }
}

/**
 * `token-station ARGS | slow-cat > out` through bash: the reader starts a second late and then
 * reads 16 KiB every 20 ms, so the CLI finishes long before its output has been read.
 */
function throughSlowPipe(args: string[]): Promise<{ code: number | null; out: string; stderr: string }> {
  const out = path.join(dir, 'out.txt');
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // A slow reader in Node itself: 16 KiB every 20 ms, after a one-second start.
  const slowCat = `${process.execPath} -e "setTimeout(() => { process.stdin.on('readable', function r() { const c = process.stdin.read(16384); if (c === null) return; process.stdout.write(c); process.stdin.pause(); setTimeout(() => { process.stdin.resume(); r(); }, 20); }); }, 1000)"`;
  // pipefail: the exit code is the CLI's.
  const script = `${quoted} | ${slowCat} > '${out}'`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not finish: ${stderr}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: fs.readFileSync(out, 'utf8'), stderr });
    });
  });
}

describe('output through a pipe to a slow reader', () => {
  it('queue --json gives the whole queue (3,000 tokens, far past the 64 KiB of a pipe)', async () => {
    fillQueue();
    const result = await throughSlowPipe(['queue', '--json']);
    expect(result.code).toBe(0);
    expect(result.out.length).toBeGreaterThan(1_000_000);
    const tokens = JSON.parse(result.out) as { uid: string }[];
    expect(tokens).toHaveLength(3000);
    expect(new Set(tokens.map((t) => t.uid)).size).toBe(3000);
  });

  it('queue as a table gives every row', async () => {
    fillQueue();
    const result = await throughSlowPipe(['queue']);
    expect(result.code).toBe(0);
    expect(result.out.trimEnd().split('\n')).toHaveLength(3001);
  });

  it('import --json --dry-run of 3,000 rows gives the whole preview', async () => {
    const file = path.join(dir, 'cards.csv');
    fs.writeFileSync(file, 'uid,label\n' + Array.from({ length: 3000 }, (_, i) => `${uidOf(i + 1)},LABEL-${'X'.repeat(80)}-${i}`).join('\n') + '\n');
    const result = await throughSlowPipe(['import', file, '--customer', '1001', '--dry-run', '--json']);
    expect(result.code).toBe(0);
    const preview = JSON.parse(result.out) as { rows: unknown[]; dryRun: boolean };
    expect(preview.dryRun).toBe(true);
    expect(preview.rows).toHaveLength(3000);
  });

  it('a reader that stops early (head) ends the CLI quietly, without a stack trace', async () => {
    fillQueue(3000);
    const quoted = [process.execPath, BIN, 'queue', '--json'].map((a) => `'${a}'`).join(' ');
    const result = await new Promise<{ stderr: string; out: string }>((resolve) => {
      const child = spawn('bash', ['-c', `${quoted} | head -c 100`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', () => resolve({ stderr, out }));
    });
    expect(result.out).toHaveLength(100);
    expect(result.stderr).toBe('');
  });
});
