/**
 * UIDs as files give them: hex (the canonical form), hex with the bytes reversed (what some
 * readers print), or decimal (the UID's bytes read as one big-endian number, e.g. the 10 digits of
 * a 4-byte UID). The readers area (issue #3) adds the same conversions to core/uid.ts; the
 * integrator should make this module use those once both have landed.
 */
import { parseUid, type UidResult } from '../uid';

import type { UidFormat } from './shapes';

export { UID_FORMATS, type UidFormat } from './shapes';

export const UID_FORMAT_NAMES: Record<UidFormat, string> = {
  hex: 'hex',
  reversed: 'hex, bytes reversed',
  decimal: 'decimal',
};

function reverseBytes(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().join('');
}

const SCIENTIFIC = /^\d+(?:[.,]\d+)?E\+?\d+$/i;

export function parseUidAs(value: string, format: UidFormat): UidResult {
  const text = value.trim();
  if (SCIENTIFIC.test(text)) {
    return { ok: false, error: `UID "${text}" is a number a spreadsheet rounded: format the column as text and save the file again` };
  }
  if (format === 'hex') return parseUid(text);
  if (format === 'reversed') {
    const parsed = parseUid(text);
    return parsed.ok ? { ok: true, uid: reverseBytes(parsed.uid) } : parsed;
  }
  const digits = text.replace(/[\s.]/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, error: `UID "${text}" is not a decimal number` };
  const n = BigInt(digits);
  const bytes = n < 1n << 32n ? 4 : n < 1n << 56n ? 7 : n < 1n << 80n ? 10 : 0;
  if (bytes === 0) return { ok: false, error: `UID "${text}" is too large for a card UID (at most 10 bytes)` };
  return parseUid(n.toString(16).padStart(bytes * 2, '0'));
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
    if (/[a-f:]/i.test(value) && !SCIENTIFIC.test(value)) return 'hex';
    if (/^\d+$/.test(value)) {
      digitsOnly++;
      if (![8, 14, 20].includes(value.length)) oddLength++;
    }
  }
  return digitsOnly > 0 && oddLength > 0 ? 'decimal' : 'hex';
}
