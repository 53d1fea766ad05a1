/**
 * Turning a file's bytes into text: which encoding it is in, and whether it is text at all.
 * Spreadsheets save CSV as UTF-8 (Excel's "CSV UTF-8" adds a BOM), as Windows-1252 ("CSV" on a
 * Western-European Windows), or as UTF-16 ("Unicode text"). A workbook or a binary file renamed
 * .csv is refused with a message saying what it is instead.
 */

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export type FileKind = 'xlsx' | 'xls' | 'pdf' | 'png' | 'jpeg' | 'gzip';

/**
 * Why a file is not imported, as data for a window that words it in its own language (the
 * message stays the English for the CLI and the log). Names and text from the file are carried as
 * they are.
 */
export type RefusalDetail =
  | { key: 'not-a-file'; params: { file: string } }
  | { key: 'no-such-file'; params: { file: string } }
  | { key: 'cannot-read'; params: { file: string; error: string } }
  | { key: 'too-big'; params: { size: string; max: string } }
  | { key: 'empty'; params: Record<string, never> }
  | { key: 'not-csv'; params: { kind: FileKind } }
  | { key: 'binary'; params: Record<string, never> }
  | { key: 'utf-32'; params: Record<string, never> }
  | { key: 'too-many-columns'; params: { row: number; columns: number; max: number } }
  | { key: 'too-many-rows'; params: { max: number } }
  | { key: 'quote-not-closed'; params: { row: number } }
  | { key: 'row-too-long'; params: { row: number; kb: number } }
  | { key: 'not-readable'; params: { row: number; error: string } }
  | { key: 'no-rows'; params: Record<string, never> }
  | { key: 'same-field'; params: { first: string; second: string; field: string } }
  | { key: 'no-uid-column'; params: { headers: string } }
  | { key: 'no-cards'; params: Record<string, never> };

export class FileRefused extends Error {
  constructor(
    message: string,
    readonly detail?: RefusalDetail,
  ) {
    super(message);
    this.name = 'FileRefused';
  }
}

/** Signatures of files people rename to .csv by mistake. */
const SIGNATURES: { bytes: number[]; kind: FileKind; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], kind: 'xlsx', what: 'a ZIP archive or an Excel workbook (.xlsx). In Excel or LibreOffice, save it as "CSV UTF-8" first' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], kind: 'xls', what: 'an old Excel workbook (.xls). Save it as "CSV UTF-8" first' },
  { bytes: [0x25, 0x50, 0x44, 0x46], kind: 'pdf', what: 'a PDF document' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], kind: 'png', what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], kind: 'jpeg', what: 'a JPEG image' },
  { bytes: [0x1f, 0x8b], kind: 'gzip', what: 'a gzip archive' },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** NUL bytes or many control characters in the first 64 KB: not a text file (UTF-16 is checked before this). */
function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return sample.length > 0 && control / sample.length > 0.01;
}

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
}

export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes.length === 0) throw new FileRefused('The file is empty.', { key: 'empty', params: {} });
  // UTF-32's byte order marks, checked before UTF-16's (FF FE 00 00 starts with UTF-16 LE's FF FE):
  // no spreadsheet saves CSV so, and read as UTF-16 it would be every other character a NUL.
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00]) || startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) {
    throw new FileRefused('This file is in UTF-32, which is not read here: save it as "CSV UTF-8" (or UTF-16) and import it again.', { key: 'utf-32', params: {} });
  }
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  if (startsWith(bytes, [0xff, 0xfe])) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (startsWith(bytes, [0xfe, 0xff])) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const signature = SIGNATURES.find((s) => startsWith(bytes, s.bytes));
  if (signature) throw new FileRefused(`This is not a CSV file: it is ${signature.what}.`, { key: 'not-csv', params: { kind: signature.kind } });
  if (looksBinary(bytes)) throw new FileRefused('This is not a CSV file: it holds binary data, not text. Choose the CSV file the cards came with.', { key: 'binary', params: {} });
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not valid UTF-8: every byte sequence is valid Windows-1252 (the WHATWG decoder maps all 256).
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

export const ENCODING_NAMES: Record<TextEncodingName, string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 with BOM',
  'windows-1252': 'Windows-1252',
  'utf-16le': 'UTF-16 (little-endian)',
  'utf-16be': 'UTF-16 (big-endian)',
};
