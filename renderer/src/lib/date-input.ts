/**
 * Dates as the desk types them, in the window's language rather than the OS's: Chromium's own
 * `<input type="date">` lays its field out in the OS locale (mm/dd/yyyy on an American Windows even
 * in the Danish window), so the date fields are text fields read and written here.
 * Both languages are day-first (the window's English is en-GB): "31.12.2027" in Danish,
 * "31/12/2027" in English; either separator (and `-`) is read in both, and so is ISO `2027-12-31`.
 * Values are what `<input type="date">` and `datetime-local` hold ("2027-12-31", "2027-12-31T14:30"),
 * so a field can replace one without its screen changing.
 */
import type { Locale } from './i18n.svelte';

const pad = (n: number) => String(n).padStart(2, '0');

function valid(year: number, month: number, day: number, hour: number, minute: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The value typed text stands for: "" when empty, null when it is not a date (or not a real one:
 * 31.02.2027). With `withTime`, a date alone means midnight.
 */
export function parseDateText(text: string, withTime: boolean): string | null {
  const typed = text.trim();
  if (typed === '') return '';
  const time = String.raw`(?:[T ,]+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2}))?`;
  const iso = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${time}$`, 'i').exec(typed);
  const dayFirst = new RegExp(String.raw`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})${time}$`, 'i').exec(typed);
  let year: number, month: number, day: number, hour: string | undefined, minute: string | undefined;
  if (iso) [year, month, day, hour, minute] = [Number(iso[1]), Number(iso[2]), Number(iso[3]), iso[4], iso[5]];
  else if (dayFirst) [day, month, year, hour, minute] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3]), dayFirst[4], dayFirst[5]];
  else return null;
  if (hour !== undefined && !withTime) return null;
  const h = Number(hour ?? 0);
  const m = Number(minute ?? 0);
  if (!valid(year, month, day, h, m)) return null;
  const date = `${year}-${pad(month)}-${pad(day)}`;
  return withTime ? `${date}T${pad(h)}:${pad(m)}` : date;
}

/** A value ("2027-12-31" or "2027-12-31T14:30") as the window's language writes it. */
export function formatDateText(value: string, withTime: boolean, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(value);
  if (!match) return '';
  const separator = locale === 'da' ? '.' : '/';
  const date = [match[3], match[2], match[1]].join(separator);
  return withTime ? `${date} ${match[4] ?? '00'}:${match[5] ?? '00'}` : date;
}

/** What the field shows while empty: the pattern to type, in the window's words. */
export function datePattern(withTime: boolean, locale: Locale): string {
  const date = locale === 'da' ? 'dd.mm.åååå' : 'dd/mm/yyyy';
  return withTime ? `${date} ${locale === 'da' ? 'tt:mm' : 'hh:mm'}` : date;
}
