/**
 * Card UIDs. One canonical form is stored everywhere: upper-case hex, no separators.
 * MIFARE UIDs are 4 (single size), 7 (double) or 10 (triple) bytes long (ISO/IEC 14443-3 6.5.4).
 */

export const UID_BYTE_LENGTHS = [4, 7, 10] as const;

/**
 * What is wrong with a UID, machine-readable (the English is `error`), so a window can say it in
 * its language. `input` is the text as given. One set for every screen (reader, converter, import).
 */
export type UidProblem =
  | { key: 'empty'; params: Record<string, never> }
  | { key: 'not-hex'; params: { input: string } }
  | { key: 'odd-digits'; params: { input: string; digits: number } }
  | { key: 'length'; params: { input: string; bytes: number } }
  | { key: 'not-decimal'; params: { input: string } }
  | { key: 'too-large-8h10d'; params: { digits: string } }
  | { key: 'too-large'; params: { digits: string; count: number } }
  /** Set by io/uid-formats.ts for a file's cell: a valid UID that is a random ID, or a number a spreadsheet rounded. */
  | { key: 'random-id'; params: { uid: string } }
  | { key: 'rounded'; params: { input: string } }
  /** A 4-byte UID whose first byte is 0x88, the cascade tag: the start of a 7-byte UID read short. */
  | { key: 'cascade-tag'; params: { uid: string } }
  /** Every byte the same (all 00, all FF, …): what a failed or blank read gives, not a card's UID. */
  | { key: 'same-bytes'; params: { uid: string } };

export type UidResult = { ok: true; uid: string } | { ok: false; error: string; problem?: UidProblem };

/** Separators readers and spreadsheets put between bytes: space, colon, dash, dot. */
const SEPARATORS = /[\s:.-]/g;

/** How much of a refused input a message repeats: enough to recognise it, never a flood. */
const SHOWN_MAX = 40;

/** The input as a message shows it: shortened to SHOWN_MAX characters and "…". */
export function shownInput(input: string): string {
  return input.length <= SHOWN_MAX ? input : `${input.slice(0, SHOWN_MAX)}…`;
}

/**
 * Well-formed UIDs that are still no card's UID, whatever format they came in (the one rule for
 * the reader, the desk, `add` and imports):
 * - 4 bytes starting with 0x88: 0x88 is the cascade tag (ISO/IEC 14443-3 6.5.4), which only ever
 *   precedes the first three bytes of a 7-byte UID; a reader or a file that gives it as a 4-byte UID
 *   cut the real UID short, and the next read of the same card would give another UID.
 * - every byte the same (00000000, FFFFFFFFFFFFFF, …): what a blank or failed read, a test value or
 *   a filled-in spreadsheet gives; two such "cards" would be the same token.
 */
export function uidRefusal(uid: string): { error: string; problem: UidProblem } | null {
  if (uid.length === 8 && uid.startsWith('88')) {
    return {
      error: `UID ${uid} starts with 88, the cascade tag: it is the first part of a 7-byte UID that was read short, not a card's UID. Tap the card again, or check the reader's settings.`,
      problem: { key: 'cascade-tag', params: { uid } },
    };
  }
  if (/^(..)\1+$/.test(uid)) {
    return {
      error: `UID ${uid} is the same byte repeated: that is what a blank or failed read gives, not a card's UID. Tap the card again.`,
      problem: { key: 'same-bytes', params: { uid } },
    };
  }
  return null;
}

/** A hex UID's syntax only: separators and a 0x prefix removed, hex digits, 4, 7 or 10 bytes. */
export function parseUidSyntax(input: string): UidResult {
  // A 0x prefix, as readers' tools print UIDs (0x04A224B2, or 0x04 0xA2 … per byte); an x is never a hex digit.
  const compact = input.trim().replace(/(^|[\s:.,-])0x/gi, '$1').replace(SEPARATORS, '');
  const shown = shownInput(input);
  if (compact.length === 0) return { ok: false, error: 'UID is empty', problem: { key: 'empty', params: {} } };
  if (!/^[0-9a-fA-F]+$/.test(compact)) {
    return { ok: false, error: `UID "${shown}" is not hexadecimal (only 0-9 and A-F are allowed)`, problem: { key: 'not-hex', params: { input: shown } } };
  }
  if (compact.length % 2 !== 0) {
    return {
      ok: false,
      error: `UID "${shown}" has an odd number of hex digits (${compact.length}); each byte is two digits`,
      problem: { key: 'odd-digits', params: { input: shown, digits: compact.length } },
    };
  }
  const bytes = compact.length / 2;
  if (!(UID_BYTE_LENGTHS as readonly number[]).includes(bytes)) {
    return { ok: false, error: `UID "${shown}" is ${bytes} bytes long; a card UID is 4, 7 or 10 bytes`, problem: { key: 'length', params: { input: shown, bytes } } };
  }
  return { ok: true, uid: compact.toUpperCase() };
}

/** A UID the rules above refuse, as a failed result; a good one as it is. */
function checked(result: UidResult): UidResult {
  if (!result.ok) return result;
  const refusal = uidRefusal(result.uid);
  return refusal ? { ok: false, ...refusal } : result;
}

/** Turn what a person, a file or a reader gave into the canonical UID, or say what is wrong with it. */
export function parseUid(input: string): UidResult {
  return checked(parseUidSyntax(input));
}

/** A random UID of the given length, for the simulated reader. 7-byte UIDs start with an NXP-like maker byte. */
export function randomUid(bytes: 4 | 7 | 10 = 7, random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const data = random(bytes);
  // Avoid 0x08 as the first byte of a 4-byte UID: that marks a random ID that changes at every tap.
  if (bytes === 4 && data[0] === 0x08) data[0] = 0x09;
  // Nor 0x88 (the cascade tag), nor every byte the same: both are refused (see uidRefusal).
  if (bytes === 4 && data[0] === 0x88) data[0] = 0x89;
  if (data.every((b) => b === data[0])) data[bytes - 1] = data[0]! ^ 0x01;
  if (bytes === 7) data[0] = 0x04;
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/**
 * A 4-byte UID whose first byte is 0x08 is a random ID (RID, ISO/IEC 14443-3 6.5.4): the card, or a
 * phone emulating one, shows a new one at every tap, so it can never identify the customer again.
 */
export function randomUidRefusal(uid: string): string | null {
  if (uid.length === 8 && uid.startsWith('08')) {
    return `UID ${uid} is a random ID (4 bytes starting with 08): this card or phone shows a different UID at every tap, so it cannot be a charging token. Use a card with a fixed UID.`;
  }
  return null;
}

/**
 * How readers and spreadsheets write a UID:
 * - hex: the bytes in the order the card sends them (PC/SC GET DATA order), e.g. 04A224B2;
 * - reversed: the same bytes last-first, e.g. B224A204 (many keyboard-wedge readers);
 * - decimal: the bytes as read, taken as one unsigned number (10 digits for a 4-byte UID);
 * - 8h10d: a 4-byte UID reversed, then as a 10-digit number: what wedge readers set to
 *   "8H10D" type, because they send the least significant byte first.
 */
export const UID_FORMATS = ['hex', 'reversed', 'decimal', '8h10d'] as const;
export type UidFormat = (typeof UID_FORMATS)[number];

export const UID_FORMAT_NAMES: Record<UidFormat, string> = {
  hex: 'Hex',
  reversed: 'Reversed hex',
  decimal: 'Decimal',
  '8h10d': '8H10D (reversed, 10-digit decimal)',
};

/** A UID in every format, side by side. */
export interface UidFormats {
  hex: string;
  hexSeparated: string;
  reversed: string;
  reversedSeparated: string;
  decimal: string;
  /** Only 4-byte UIDs have an 8H10D form. */
  decimal8h10d: string | null;
}

function reverseHex(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().join('');
}

function separated(hex: string, separator = ':'): string {
  return (hex.match(/../g) ?? []).join(separator);
}

/** The width a decimal form is padded to: the digits of the largest number of that many bytes. */
function decimalDigits(bytes: number): number {
  return ((1n << BigInt(bytes * 8)) - 1n).toString().length;
}

function toDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString().padStart(decimalDigits(hex.length / 2), '0');
}

/** A canonical UID (see parseUid) written in every format. */
export function uidFormats(uid: string): UidFormats {
  const reversed = reverseHex(uid);
  return {
    hex: uid,
    hexSeparated: separated(uid),
    reversed,
    reversedSeparated: separated(reversed),
    decimal: toDecimal(uid),
    decimal8h10d: uid.length === 8 ? toDecimal(reversed) : null,
  };
}

/** A UID in one format (see UID_FORMATS), as the canonical form; exact, or an error saying why not. */
export function uidFrom(value: string, from: UidFormat): UidResult {
  return checked(uidFromSyntax(value, from));
}

function uidFromSyntax(value: string, from: UidFormat): UidResult {
  if (from === 'hex') return parseUidSyntax(value);
  if (from === 'reversed') {
    const parsed = parseUidSyntax(value);
    return parsed.ok ? { ok: true, uid: reverseHex(parsed.uid) } : parsed;
  }
  // A number is whole digits only: "1.5" or "1.2.3.4" is not a UID (dropping the dots would
  // make one up), and neither is a number with spaces or a sign in it.
  const digits = value.trim();
  if (digits.length === 0) return { ok: false, error: 'UID is empty', problem: { key: 'empty', params: {} } };
  if (!/^\d+$/.test(digits)) {
    const shown = shownInput(value);
    return { ok: false, error: `"${shown}" is not a decimal number (only 0-9 are allowed)`, problem: { key: 'not-decimal', params: { input: shown } } };
  }
  const shown = shownInput(digits);
  // Past 25 significant digits no UID fits; saying so needs no BigInt of a huge number.
  const significant = digits.replace(/^0+(?=\d)/, '');
  const number = significant.length > 25 ? 1n << 81n : BigInt(significant);
  if (from === '8h10d') {
    if (number > 0xffffffffn) {
      return { ok: false, error: `${shown} is too large for an 8H10D number (at most 4294967295, the largest 4-byte UID)`, problem: { key: 'too-large-8h10d', params: { digits: shown } } };
    }
    return { ok: true, uid: reverseHex(number.toString(16).toUpperCase().padStart(8, '0')) };
  }
  // The byte count follows from the written width: up to 10 digits is a 4-byte UID, up to 17 a
  // 7-byte one, up to 25 a 10-byte one (readers pad with zeros, people often drop them).
  const bytes = UID_BYTE_LENGTHS.find((n) => digits.length <= decimalDigits(n));
  if (!bytes || number >= 1n << BigInt(bytes * 8)) {
    return {
      ok: false,
      error: `${shown} is too large for a card UID written with ${digits.length} digits (a 4-byte UID is at most 4294967295)`,
      problem: { key: 'too-large', params: { digits: shown, count: digits.length } },
    };
  }
  return { ok: true, uid: number.toString(16).toUpperCase().padStart(bytes * 2, '0') };
}

/** What the desk sees when converting a UID: the canonical form, every format, and any warning. */
export type UidConversion =
  /** `randomUid`: the warning is that the UID is a random ID (see randomUidRefusal). */
  | { ok: true; uid: string; from: UidFormat; formats: UidFormats; warning: string | null; randomUid: boolean }
  | { ok: false; from: UidFormat; error: string; problem: UidProblem | null };

export function convertUid(value: string, from: UidFormat = 'hex'): UidConversion {
  const result = uidFrom(value, from);
  if (!result.ok) return { ok: false, from, error: result.error, problem: result.problem ?? null };
  const warning = randomUidRefusal(result.uid);
  return { ok: true, uid: result.uid, from, formats: uidFormats(result.uid), warning, randomUid: warning !== null };
}
