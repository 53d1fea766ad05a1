/**
 * Card UIDs. One canonical form is stored everywhere: upper-case hex, no separators.
 * MIFARE UIDs are 4 (single size), 7 (double) or 10 (triple) bytes long (ISO/IEC 14443-3 6.5.4).
 */

export const UID_BYTE_LENGTHS = [4, 7, 10] as const;

export type UidResult = { ok: true; uid: string } | { ok: false; error: string };

/** Separators readers and spreadsheets put between bytes: space, colon, dash, dot. */
const SEPARATORS = /[\s:.-]/g;

/** Turn what a person, a file or a reader gave into the canonical UID, or say what is wrong with it. */
export function parseUid(input: string): UidResult {
  const compact = input.replace(SEPARATORS, '');
  if (compact.length === 0) return { ok: false, error: 'UID is empty' };
  if (!/^[0-9a-fA-F]+$/.test(compact)) {
    return { ok: false, error: `UID "${input}" is not hexadecimal (only 0-9 and A-F are allowed)` };
  }
  if (compact.length % 2 !== 0) {
    return { ok: false, error: `UID "${input}" has an odd number of hex digits (${compact.length}); each byte is two digits` };
  }
  const bytes = compact.length / 2;
  if (!(UID_BYTE_LENGTHS as readonly number[]).includes(bytes)) {
    return { ok: false, error: `UID "${input}" is ${bytes} bytes long; a card UID is 4, 7 or 10 bytes` };
  }
  return { ok: true, uid: compact.toUpperCase() };
}

/** A random UID of the given length, for the simulated reader. 7-byte UIDs start with an NXP-like maker byte. */
export function randomUid(bytes: 4 | 7 | 10 = 7, random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const data = random(bytes);
  // Avoid 0x08 as the first byte of a 4-byte UID: that marks a random ID that changes at every tap.
  if (bytes === 4 && data[0] === 0x08) data[0] = 0x09;
  if (bytes === 7) data[0] = 0x04;
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}
