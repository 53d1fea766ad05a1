/**
 * UIDs as files give them, in the formats the readers area defines (core/uid.ts: hex, reversed
 * hex, decimal, 8H10D), with what an import adds: a column's format guessed from its values, a
 * number a spreadsheet rounded named as such, and the random-ID refusal a tap gets.
 */
import { randomUidRefusal, uidFrom, type UidFormat, type UidResult } from '../uid';

export { UID_FORMATS, type UidFormat } from '../uid';

/** In running text: "UIDs in hex, bytes reversed". */
export const UID_FORMAT_NAMES: Record<UidFormat, string> = {
  hex: 'hex',
  reversed: 'hex, bytes reversed',
  decimal: 'decimal',
  '8h10d': '8H10D (reversed, 10-digit decimal)',
};

const SCIENTIFIC = /^\d+(?:[.,]\d+)?E\+?\d+$/i;

/**
 * A number a spreadsheet rounded and wrote in scientific notation (4,00E+13, 4.0E+13): only
 * when it has a +, a . or a , in it, which a hex UID never has. 04000000009E97 is a real 7-byte
 * hex UID that merely looks like 4000000009 x 10^97.
 */
export function isRoundedNumber(text: string): boolean {
  return SCIENTIFIC.test(text) && /[+.,]/.test(text);
}

export function parseUidAs(value: string, format: UidFormat): UidResult {
  const text = value.trim();
  if (isRoundedNumber(text)) {
    return { ok: false, error: `UID "${text}" is a number a spreadsheet rounded: format the column as text and save the file again`, problem: { key: 'rounded', params: { input: text } } };
  }
  const result = uidFrom(text, format);
  if (!result.ok) return result;
  const refusal = randomUidRefusal(result.uid);
  return refusal ? { ok: false, error: refusal, problem: { key: 'random-id', params: { uid: result.uid } } } : result;
}

/**
 * The likely format of a column: hex when any value has a letter A-F or a separator; decimal when
 * every value is digits and some have a length no hex UID has (8, 14 or 20 digits); else hex.
 */
export function detectUidFormat(values: Iterable<string>): UidFormat {
  let digitsOnly = 0;
  let oddLength = 0;
  for (const raw of values) {
    const value = raw.trim();
    if (value === '') continue;
    if (/[a-f:]/i.test(value) && !isRoundedNumber(value)) return 'hex';
    if (/^\d+$/.test(value)) {
      digitsOnly++;
      if (![8, 14, 20].includes(value.length)) oddLength++;
    }
  }
  return digitsOnly > 0 && oddLength > 0 ? 'decimal' : 'hex';
}
