/**
 * Hostile files: each is refused with a message that says what is wrong, without a crash and
 * without reading more than the size cap into memory.
 */
import { closeSync, openSync, writeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planImport } from '../../electron/core/io/import-plan';
import { readImportFile } from '../../electron/core/io/files';
import { FileRefused } from '../../electron/core/io/text';
import { MAX_FILE_BYTES } from '../../electron/core/io/csv-read';
import { tempDir } from '../support/temp';
import { DEFAULTS, utf8, writeFile } from './support';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('token-station-hostile-')));
afterAll(() => cleanup());

async function refusal(file: string): Promise<string> {
  try {
    planImport(await readImportFile(file), { defaults: DEFAULTS });
  } catch (error) {
    expect(error).toBeInstanceOf(FileRefused);
    return (error as Error).message;
  }
  throw new Error(`${path.basename(file)} was not refused`);
}

describe('hostile files', () => {
  it('a 50 MB file is refused from its size, before it is read', async () => {
    const file = path.join(dir, 'huge.csv');
    const fd = openSync(file, 'w');
    writeSync(fd, 'uid\n04A224B2\n');
    ftruncateSync(fd, 50 * 1024 * 1024); // sparse: the size is what matters
    closeSync(fd);
    const before = process.memoryUsage().rss;
    expect(await refusal(file)).toBe(
      `The file is 50.0 MB; an import reads files of up to ${(MAX_FILE_BYTES / 1024 / 1024).toFixed(1)} MB (about 400,000 cards). Split it into smaller files.`,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('a 1 MB field is refused with its row', async () => {
    const file = writeFile(dir, 'field.csv', `uid,comment\n04A224B2,ok\n04A224B3,${'x'.repeat(1024 * 1024)}\n04A224B4,ok\n`);
    expect(await refusal(file)).toMatch(/^Row 3 is longer than 64 KB/);
  });

  it('10,000 columns are refused at the first row', async () => {
    const row = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    const file = writeFile(dir, 'wide.csv', `${row}\n${row}\n`);
    expect(await refusal(file)).toBe('Row 1 has 10,000 columns; a card list has at most 200. Is this the right file?');
  });

  it('an unbalanced quote is refused, naming the row where the quote opens', async () => {
    const file = writeFile(dir, 'quote.csv', 'uid,label\n04A224B2,A\n04A224B3,"B\n04A224B4,C\n04A224B5,D\n');
    expect(await refusal(file)).toMatch(/^A quoted field starting in row 3 is never closed/);
  });

  it('a binary file renamed .csv is refused as not text', async () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
    expect(await refusal(writeFile(dir, 'random.csv', bytes))).toMatch(/^This is not a CSV file: it holds binary data/);
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    expect(await refusal(writeFile(dir, 'book.csv', xlsx))).toMatch(/Excel workbook \(\.xlsx\).*save it as "CSV UTF-8"/);
  });

  it('an empty file, a missing file and a folder are refused with what they are', async () => {
    expect(await refusal(writeFile(dir, 'empty.csv', ''))).toBe('The file is empty.');
    expect(await refusal(path.join(dir, 'nope.csv'))).toBe('Cannot read nope.csv: no such file');
    expect(await refusal(dir)).toMatch(/is not a file/);
  });

  it('more rows than an import takes are refused with the limit', () => {
    const rows = Array.from({ length: 200_002 }, (_, i) => (0x04000000 + i).toString(16).toUpperCase().padStart(8, '0'));
    expect(() => planImport(utf8(`uid\n${rows.join('\n')}\n`), { defaults: DEFAULTS })).toThrow('The file has more than 200,000 rows; import it in parts.');
  });
});
