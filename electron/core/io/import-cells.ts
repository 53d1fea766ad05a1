/**
 * A cell's text read as a value of its kind, as an office's spreadsheet writes it: true/false in
 * English or Danish, dates in ISO-8601 or day first, and a cell quoted short for a message.
 */
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'ja', 'j', 'sand', 'x']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'nej', 'falsk']);

export function parseBoolean(text: string): boolean | undefined {
  const key = text.trim().toLowerCase();
  if (TRUE_WORDS.has(key)) return true;
  if (FALSE_WORDS.has(key)) return false;
  return undefined;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_NO_ZONE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;
const DAY_FIRST = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/;

/**
 * A file's dates repeat (one expiry for a whole batch of cards): each distinct text is read once.
 * Bounded, so a file of all-different dates cannot grow it without end.
 */
const DATE_CACHE_MAX = 4096;
const dateCache = new Map<string, string | undefined>();

/**
 * A date-time to ISO-8601 UTC. Without a time zone the value is read as UTC; "31.12.2026",
 * "31-12-2026" and "31/12/2026" are day first (a Danish Excel writes the last; the desk is in Europe).
 */
export function parseDateTime(text: string): string | undefined {
  const cached = dateCache.get(text);
  if (cached !== undefined || dateCache.has(text)) return cached;
  const parsed = readDateTime(text);
  if (dateCache.size >= DATE_CACHE_MAX) dateCache.clear();
  dateCache.set(text, parsed);
  return parsed;
}

function readDateTime(text: string): string | undefined {
  const value = text.trim();
  let ms: number;
  if (ISO_WITH_ZONE.test(value)) {
    ms = Date.parse(value);
  } else {
    const iso = ISO_NO_ZONE.exec(value);
    const dmy = DAY_FIRST.exec(value);
    if (iso) {
      const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = iso;
      ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, +frac.padEnd(3, '0'));
      if (new Date(ms).getUTCDate() !== +d! || +mo! > 12) return undefined;
    } else if (dmy) {
      const [, d, , mo, y] = dmy;
      ms = Date.UTC(+y!, +mo! - 1, +d!);
      if (new Date(ms).getUTCDate() !== +d! || +mo! > 12) return undefined;
    } else {
      return undefined;
    }
  }
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A cell as a message quotes it: at most 40 characters. */
export function describeCell(text: string): string {
  return text.length > 40 ? `"${text.slice(0, 37)}..."` : `"${text}"`;
}
