/**
 * Dates in exports, fast. The API sends canonical UTC instants ("2026-01-31T08:30:00.000Z");
 * `new Date(Date.parse(s)).toISOString()` turns such a string into itself, at about a microsecond a
 * cell, which was the largest cost of a 100,000-token CSV export. `canonicalIsoMs` recognises the
 * canonical form by its characters, checks every field is in range (so "2026-02-30" or "24:00",
 * which Date.parse rolls over, are not taken as canonical) and computes the instant directly;
 * anything else returns NaN and the callers fall back to Date.parse.
 */

function digits(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function leap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The instant of a canonical "YYYY-MM-DDTHH:MM:SS.sssZ" string, or NaN when the text is anything else. */
export function canonicalIsoMs(text: string): number {
  if (text.length !== 24) return NaN;
  const c = (i: number) => text.charCodeAt(i);
  // - - T : : . Z
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58 || c(19) !== 46 || c(23) !== 90) return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return NaN;
  if (day > (month === 2 && leap(year) ? 29 : DAYS[month - 1]!)) return NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** The instant a date cell's text names (canonical ISO fast, anything else as Date.parse reads it), NaN if none. */
export function dateMs(text: string): number {
  const ms = canonicalIsoMs(text);
  return Number.isNaN(ms) ? Date.parse(text) : ms;
}

/** The text as a canonical ISO instant; text that is no date is returned unchanged. */
export function isoText(text: string): string {
  if (!Number.isNaN(canonicalIsoMs(text))) return text;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : text;
}
