/**
 * A real full disk for a data folder: a small tmpfs, filled with a file to leave a chosen amount
 * of room. Mounting needs root. CI runs as root, so there a missing root fails the test loudly;
 * on a developer's machine (CI unset, not root) the tests are skipped with a warning saying why.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const IS_ROOT = process.getuid?.() === 0;
const ON_CI = !!process.env.CI && process.env.CI !== 'false';

/** Whether full-disk tests run here; throws on CI without root (they must not pass by being skipped). */
export function fullDiskTestsRun(): boolean {
  if (IS_ROOT) return true;
  if (ON_CI) throw new Error('The full-disk tests mount a tmpfs and need root; CI runs as root, this run is not.');
  console.warn('Full-disk tests skipped: mounting a tmpfs needs root (run as root, or on CI, to include them).');
  return false;
}

export interface SmallDisk {
  readonly dir: string;
  /** Fill the disk so that only about `kib` KiB are left. */
  fill(kib?: number): void;
  /** Remove the filler: the disk has room again. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMiB = 2): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-station-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  const filler = path.join(dir, 'filler');
  const free = () => fs.rmSync(filler, { force: true });
  return {
    dir,
    fill(kib = 0) {
      free();
      const availKiB = Number(execFileSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').pop());
      const bytes = Math.max(0, (availKiB - kib) * 1024);
      const fd = fs.openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(64 * 1024);
        for (let written = 0; written < bytes; ) {
          try {
            written += fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
          } catch {
            break; // ENOSPC: as full as it gets
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
