/** Helpers for the import/export tests: files written by the tests, and the session defaults they start from. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImportDefaults } from '../../electron/core/io/import-plan';
import type { FileDialogs } from '../../electron/core/io/dialogs';

export const DEFAULTS: ImportDefaults = {
  customerId: 1001,
  validFrom: null,
  expiresAt: null,
  isActive: true,
  roamingEnabled: true,
  priorityChargingEnabled: true,
  billingReference: null,
  comment: null,
};

/** Bytes of a text in Windows-1252 (the characters the tests use all exist there). */
export function cp1252(text: string): Uint8Array {
  const table: Record<string, number> = { '€': 0x80, 'Æ': 0xc6, 'Ø': 0xd8, 'Å': 0xc5, 'æ': 0xe6, 'ø': 0xf8, 'å': 0xe5, 'é': 0xe9, 'ü': 0xfc };
  return Uint8Array.from([...text].map((ch) => table[ch] ?? (ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : 0x3f)));
}

export function utf8(text: string, bom = false): Uint8Array {
  return new Uint8Array(Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]));
}

export function writeFile(dir: string, name: string, content: Uint8Array | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/**
 * The test's file dialogs: a fake because the real ones are Electron's native dialogs, which need
 * the Electron binary (not available here). Each pick takes the next scripted answer and records
 * what was asked.
 */
export class ScriptedDialogs implements FileDialogs {
  readonly asked: { kind: 'open' | 'save'; title: string; defaultName?: string }[] = [];
  private readonly answers: (string | null)[] = [];

  answer(...paths: (string | null)[]): this {
    this.answers.push(...paths);
    return this;
  }

  pickOpenFile(options: { title: string }): Promise<string | null> {
    this.asked.push({ kind: 'open', title: options.title });
    return Promise.resolve(this.next());
  }

  pickSaveFile(options: { title: string; defaultName: string }): Promise<string | null> {
    this.asked.push({ kind: 'save', title: options.title, defaultName: options.defaultName });
    return Promise.resolve(this.next());
  }

  private next(): string | null {
    if (this.answers.length === 0) throw new Error('The test did not script an answer for this dialog');
    return this.answers.shift()!;
  }
}

/**
 * Open a file in LibreOffice (headless) and save its first sheet as CSV (comma, double quotes,
 * UTF-8): what a spreadsheet makes of our export. A fresh profile per run, so runs never collide.
 */
export function libreOfficeCsv(file: string, outDir: string): string {
  const profile = mkdtempSync(path.join(tmpdir(), 'lo-profile-'));
  try {
    execFileSync(
      'soffice',
      [`-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', outDir, file],
      { stdio: 'pipe', timeout: 120_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return readFileSync(path.join(outDir, path.basename(file).replace(/\.[^.]+$/, '.csv')), 'utf8').replace(/^\uFEFF/, '');
}
