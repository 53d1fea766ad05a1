/**
 * Which field a file's column gives, by its header: the names an import reads (in any case, with or
 * without spaces, underscores or dashes), the columns Token Station's own files add that an import
 * skips, and the guesses the mapping step offers for an office's own words.
 */
import { TOKEN_SETTING_FIELDS } from '../token';

export const IMPORT_FIELDS = ['uid', 'label', 'customerId', ...TOKEN_SETTING_FIELDS] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Header names compare without case, spaces, underscores or dashes: "Customer ID" is customerId. */
function headerKey(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

const FIELD_BY_KEY = new Map<string, ImportField>([
  ...IMPORT_FIELDS.map((field) => [headerKey(field), field] as const),
  ['card', 'uid'],
  ['rfid', 'uid'],
  ['visualid', 'label'],
  ['customer', 'customerId'],
]);

/**
 * Columns Token Station's own files carry that an import does not use: not worth a warning (the
 * reason column of the rows-not-queued file, the customer's name beside its number).
 */
const EXPORT_ONLY = new Set(['reason', 'customername', 'id', 'type', 'createdat', 'updatedat', 'state', 'spiriiid', 'lasterror', 'source', 'syncedat', 'attempts', 'tokengroupids']);

export function fieldOfHeader(name: string): ImportField | null {
  return FIELD_BY_KEY.get(headerKey(name)) ?? null;
}

/**
 * A guess for the mapping step, never applied without the desk's confirmation: the Danish and
 * English words an office's own card lists use for the columns.
 */
const GUESSES: [RegExp, ImportField][] = [
  [/^(kort(nummer|nr)?|brik(nummer|nr)?|card(number|no)?|uid|rfid|chip)$/, 'uid'],
  [/^(etiket|label|visuel(t)?(id|nummer)|tryk(t)?nummer|printed(number)?)$/, 'label'],
  [/^(kunde(nummer|nr|id)?|customer(number|no)?|debitor(nummer|nr)?)$/, 'customerId'],
  [/^(gyldigfra|startdato|validfrom|from)$/, 'validFrom'],
  [/^(udl(ø|oe)b(er)?|udl(ø|oe)bsdato|gyldigtil|expires|expiry|expiresat|slutdato)$/, 'expiresAt'],
  [/^(aktiv|active|isactive)$/, 'isActive'],
  [/^(roaming)$/, 'roamingEnabled'],
  [/^(prioritet|priority)$/, 'priorityChargingEnabled'],
  [/^(fakturareference|reference|billing(reference)?)$/, 'billingReference'],
  [/^(kommentar|bem(æ|ae)rkning|note|comment)$/, 'comment'],
];

/** The key a mapping is remembered by: the file's headers, less those every import skips. */
export function headerSetKey(headers: readonly string[]): string {
  return headers
    .map(headerKey)
    .filter((k) => k !== '' && !EXPORT_ONLY.has(k))
    .join('|');
}

export function guessField(name: string): ImportField | null {
  const known = fieldOfHeader(name);
  if (known) return known;
  const key = headerKey(name);
  return GUESSES.find(([pattern]) => pattern.test(key))?.[1] ?? null;
}

/** Whether a header is one an import reads (or knowingly skips) without asking the desk. */
export function isKnownHeader(name: string): boolean {
  const key = headerKey(name);
  return key === '' || FIELD_BY_KEY.has(key) || EXPORT_ONLY.has(key);
}

/** A column of Token Station's own files that an import does not use (read without a warning). */
export function isExportOnly(name: string): boolean {
  return EXPORT_ONLY.has(headerKey(name));
}
