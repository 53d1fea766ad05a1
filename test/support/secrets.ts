/** Searching files for a secret: every file under a folder, as bytes, in UTF-8 and UTF-16LE. */
import fs from 'node:fs';
import path from 'node:path';

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : entry.isFile() ? [full] : [];
  });
}

/** The files under the folders whose bytes contain the secret (SQLite pages, WAL and logs included). */
export function filesContaining(dirs: string | string[], secret: string): string[] {
  const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le')];
  return [dirs]
    .flat()
    .flatMap(walk)
    .filter((file) => {
      const bytes = fs.readFileSync(file);
      return needles.some((needle) => bytes.includes(needle));
    })
    .sort();
}
