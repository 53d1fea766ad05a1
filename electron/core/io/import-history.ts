/**
 * What the desk's imports leave behind in the settings: the files imported before (by content, so
 * the preview can say "imported on ...") and the column mappings the desk chose, by the file's headers.
 */
import type { Settings } from '../settings';
import { headerSetKey, type ImportField } from './import-headers';

const HISTORY_KEY = 'import.history';
const HISTORY_LIMIT = 200;
const MAPPINGS_KEY = 'import.mappings';
const MAPPINGS_LIMIT = 100;

/** Which column is which, as the desk chose it in the mapping step (a header mapped to null is skipped). */
export type ColumnChoice = Readonly<Record<string, ImportField | null>>;

export interface PreviousImport {
  at: string;
  fileName: string;
  queued: number;
}

type HistoryEntry = PreviousImport & { sha256: string };

export class ImportHistory {
  constructor(private readonly settings: Settings) {}

  /** The newest import of a file with this content, if any. */
  previous(sha256: string): PreviousImport | null {
    const found = this.entries().find((h) => h.sha256 === sha256);
    return found ? { at: found.at, fileName: found.fileName, queued: found.queued } : null;
  }

  remember(entry: HistoryEntry): void {
    this.settings.set(HISTORY_KEY, [entry, ...this.entries()].slice(0, HISTORY_LIMIT));
  }

  /** The mapping the desk chose for a file with these headers (the columns every import skips aside). */
  mapping(headers: readonly string[]): ColumnChoice | undefined {
    return this.settings.get<Record<string, ColumnChoice>>(MAPPINGS_KEY, {})[headerSetKey(headers)];
  }

  /** Remember a mapping for these headers; the newest are kept, at most MAPPINGS_LIMIT. */
  rememberMapping(headers: readonly string[], mapping: ColumnChoice): void {
    const key = headerSetKey(headers);
    const all = this.settings.get<Record<string, ColumnChoice>>(MAPPINGS_KEY, {});
    delete all[key];
    const kept = Object.entries(all).slice(-(MAPPINGS_LIMIT - 1));
    this.settings.set(MAPPINGS_KEY, Object.fromEntries([...kept, [key, mapping]]));
  }

  private entries(): HistoryEntry[] {
    return this.settings.get<HistoryEntry[]>(HISTORY_KEY, []);
  }
}
