/**
 * What PC/SC tells us, in the desk's words: return codes (pcsclite puts them in its messages as
 * "(0x8010001D)"), status words of an APDU answer, and the card type an ATR announces
 * (PC/SC Part 3, section 3.1.3.2.3: the ATR a contactless reader builds for the card it sees).
 */
import type { CardKind, ReaderHintKey, SetupHintKey } from './types';

/** PC/SC return codes (winscard.h / pcsclite.h) by value. */
const SCARD_CODES: Record<number, string> = {
  0x80100001: 'SCARD_F_INTERNAL_ERROR',
  0x80100002: 'SCARD_E_CANCELLED',
  0x80100003: 'SCARD_E_INVALID_HANDLE',
  0x80100004: 'SCARD_E_INVALID_PARAMETER',
  0x80100006: 'SCARD_E_NO_MEMORY',
  0x80100008: 'SCARD_E_INSUFFICIENT_BUFFER',
  0x80100009: 'SCARD_E_UNKNOWN_READER',
  0x8010000a: 'SCARD_E_TIMEOUT',
  0x8010000b: 'SCARD_E_SHARING_VIOLATION',
  0x8010000c: 'SCARD_E_NO_SMARTCARD',
  0x8010000f: 'SCARD_E_PROTO_MISMATCH',
  0x80100011: 'SCARD_E_INVALID_VALUE',
  0x80100012: 'SCARD_E_SYSTEM_CANCELLED',
  0x80100013: 'SCARD_F_COMM_ERROR',
  0x80100016: 'SCARD_E_NOT_TRANSACTED',
  0x80100017: 'SCARD_E_READER_UNAVAILABLE',
  0x8010001d: 'SCARD_E_NO_SERVICE',
  0x8010001e: 'SCARD_E_SERVICE_STOPPED',
  0x8010001f: 'SCARD_E_UNSUPPORTED_FEATURE',
  0x80100022: 'SCARD_E_UNSUPPORTED_FEATURE',
  0x8010002e: 'SCARD_E_NO_READERS_AVAILABLE',
  0x80100066: 'SCARD_W_UNRESPONSIVE_CARD',
  0x80100067: 'SCARD_W_UNPOWERED_CARD',
  0x80100068: 'SCARD_W_RESET_CARD',
  0x80100069: 'SCARD_W_REMOVED_CARD',
};

/** Codes meaning the PC/SC service itself is gone: reconnect once it is back. */
export const SERVICE_GONE = new Set(['SCARD_E_NO_SERVICE', 'SCARD_E_SERVICE_STOPPED', 'SCARD_F_COMM_ERROR', 'SCARD_E_NO_READERS_AVAILABLE', 'SCARD_E_INVALID_HANDLE']);

/** Codes meaning the card left (or was not held still) before the reader was done with it. */
export const CARD_LEFT = new Set(['SCARD_W_REMOVED_CARD', 'SCARD_E_NO_SMARTCARD', 'SCARD_E_NOT_TRANSACTED', 'SCARD_W_UNPOWERED_CARD', 'SCARD_W_RESET_CARD', 'SCARD_W_UNRESPONSIVE_CARD', 'SCARD_E_PROTO_MISMATCH']);

/** The PC/SC code in an error (or the error it wraps, as nfc-pcsc's `previous`), as a name. */
export function pcscCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { previous?: unknown }).previous, depth++) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    const hex = /\(0x([0-9a-f]{8})\)/i.exec(message);
    if (hex) {
      const value = parseInt(hex[1]!, 16);
      return SCARD_CODES[value] ?? `0x${hex[1]!.toUpperCase()}`;
    }
  }
  return null;
}

/** The code a reader error carries: the PC/SC one when present, else the library's own. */
export function errorCode(error: unknown): string | null {
  const pcsc = pcscCode(error);
  if (pcsc) return pcsc;
  if (error && typeof error === 'object' && 'code' in error && error.code != null) return String(error.code);
  return null;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { previous?: unknown }).previous;
    if (cause instanceof Error && cause.message !== error.message) return `${error.message} (${cause.message})`;
    return error.message;
  }
  return String(error);
}

/** ISO 7816-4 status words a contactless reader answers GET DATA with. */
const STATUS_WORDS: Record<string, string> = {
  '6281': 'part of the data may be corrupted',
  '6300': 'the reader could not get the UID from the card',
  '6700': 'wrong length',
  '6A81': 'the reader does not support this function',
  '6A82': 'not found',
  '6B00': 'wrong parameters',
  '6D00': 'instruction not supported',
  '6E00': 'class not supported',
  '6F00': 'no precise diagnosis',
};

export function describeStatusWord(sw: string): string {
  const meaning = STATUS_WORDS[sw.toUpperCase()];
  const spaced = `${sw.slice(0, 2)} ${sw.slice(2)}`.toUpperCase();
  return meaning ? `${spaced} (${meaning})` : spaced;
}

/** Card names in a PC/SC Part 3 storage-card ATR (bytes 13-14), per the PC/SC "Supplemental Document". */
const STORAGE_CARDS: Record<string, string> = {
  '0001': 'MIFARE Classic 1K',
  '0002': 'MIFARE Classic 4K',
  '0003': 'MIFARE Ultralight',
  '0026': 'MIFARE Mini',
  '0036': 'MIFARE Plus SL1 2K',
  '0037': 'MIFARE Plus SL1 4K',
  '0038': 'MIFARE Plus SL2 2K',
  '0039': 'MIFARE Plus SL2 4K',
  '003A': 'MIFARE Ultralight C',
  '0030': 'Topaz/Jewel',
  '003B': 'FeliCa',
  F004: 'Topaz/Jewel',
  F011: 'FeliCa 212K',
  F012: 'FeliCa 424K',
};

export interface AtrInfo {
  /** In the desk's words, e.g. "MIFARE Classic 1K" or "phone or watch (card emulation)". */
  cardType: string;
  /** The same, machine-readable. */
  card: CardKind;
  /** A phone, watch or other device emulating a card: its UID is random, it is never a token. */
  phone: boolean;
}

/** What the ATR a contactless reader reports says about the card. */
export function describeAtr(atr: Buffer | null | undefined): AtrInfo {
  if (!atr || atr.length < 2) return { cardType: 'unknown card (no ATR)', card: { key: 'no-atr', params: {} }, phone: false };
  const hex = atr.toString('hex').toUpperCase();
  // Storage card: 3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00 TCK.
  if (atr.length >= 15 && hex.startsWith('3B8F8001804F0CA0000003')) {
    const type = hex.slice(26, 30);
    const name = STORAGE_CARDS[type];
    if (name) return { cardType: name, card: { key: 'named', params: { name } }, phone: false };
    return { cardType: `contactless memory card (type ${type})`, card: { key: 'memory', params: { type } }, phone: false };
  }
  // ISO 14443-4 card: 3B 8n 80 01 + n historical bytes (ATS, or ATQB data) + TCK.
  if (atr[0] === 0x3b && (atr[1]! & 0xf0) === 0x80 && atr[2] === 0x80 && atr[3] === 0x01) {
    const historical = atr[1]! & 0x0f;
    // No historical bytes at all: what Android (HCE) and Apple/Google wallets present.
    if (historical === 0) return { cardType: 'phone or watch (card emulation, ISO 14443-4 without historical bytes)', card: { key: 'phone', params: {} }, phone: true };
    const bytes = hex.slice(8, 8 + historical * 2);
    if (bytes === '80' || bytes.startsWith('75778')) return { cardType: 'MIFARE DESFire (ISO 14443-4)', card: { key: 'named', params: { name: 'MIFARE DESFire (ISO 14443-4)' } }, phone: false };
    return { cardType: `ISO 14443-4 smart card (historical bytes ${bytes})`, card: { key: 'iso14443', params: { bytes } }, phone: false };
  }
  return { cardType: `unrecognised card (ATR ${hex})`, card: { key: 'unrecognised', params: { atr: hex } }, phone: false };
}

/**
 * What the desk can do about a reader error, and what to check when no reader shows up: by key, so
 * that a window can word them in its own language; the English here is the CLI's and the fallback.
 */
export const READER_HINTS = {
  'unavailable-linux':
    'Install the PC/SC service and library ("sudo apt install pcscd libpcsclite1"), start it ("sudo systemctl enable --now pcscd.socket"), then restart Token Station.',
  unavailable: 'The PC/SC library could not be loaded: reinstall Token Station. Keyboard-wedge readers and the simulated reader still work.',
  'service-win32':
    'The Windows Smart Card service (SCardSvr) is not running. Windows starts it when a reader is plugged in; otherwise run "net start SCardSvr" as administrator. Token Station reconnects by itself.',
  'service-darwin': 'The macOS smart-card service is not answering. Replug the reader; Token Station reconnects by itself.',
  'service-linux': 'The PC/SC service (pcscd) is not running. Start it with "sudo systemctl start pcscd" (or enable pcscd.socket); Token Station reconnects by itself within seconds.',
  'card-left': 'The card left the reader before its UID was read. Hold it flat on the reader until it beeps, then tap again.',
  sharing: 'Another program is using the reader. Close it (another Token Station, a card tool) and tap again.',
  'reader-gone-linux':
    "The reader stopped answering. Replug it. An ACR122U that keeps failing is grabbed by the kernel's pn533/pn533_usb driver: blacklist it (see the README).",
  'reader-gone': 'The reader stopped answering. Replug it, or try another USB port.',
} as const satisfies Record<ReaderHintKey, string>;

/** Which hint fits an error with this code (null when there is nothing useful to say). */
export function readerHintKey(code: string | null, platform: NodeJS.Platform = process.platform): ReaderHintKey | null {
  if (code === null) return null;
  if (code === 'unavailable') return platform === 'linux' ? 'unavailable-linux' : 'unavailable';
  if (SERVICE_GONE.has(code)) return platform === 'win32' ? 'service-win32' : platform === 'darwin' ? 'service-darwin' : 'service-linux';
  if (CARD_LEFT.has(code)) return 'card-left';
  if (code === 'SCARD_E_SHARING_VIOLATION') return 'sharing';
  if (code === 'SCARD_E_READER_UNAVAILABLE' || code === 'SCARD_E_UNKNOWN_READER') return platform === 'linux' ? 'reader-gone-linux' : 'reader-gone';
  return null;
}

/** What the desk can do about an error with this code (null when there is nothing useful to say). */
export function readerHint(code: string | null, platform: NodeJS.Platform = process.platform): string | null {
  const key = readerHintKey(code, platform);
  return key ? READER_HINTS[key] : null;
}

export const SETUP_HINTS = {
  'pcsc-win32': 'PC/SC readers need the Smart Card service (SCardSvr): "sc config SCardSvr start= auto" and "net start SCardSvr" as administrator.',
  'pcsc-darwin': 'PC/SC readers work without a driver; "system_profiler SPSmartCardsDataType" lists them.',
  'pcsc-linux': 'PC/SC readers need pcscd: "sudo systemctl enable --now pcscd.socket"; "pcsc_scan" lists them.',
  pn533: "An ACR122U that never appears is grabbed by the kernel's pn533/pn533_usb driver: blacklist pn533_usb, pn533 and nfc, then replug it.",
  wedge: 'Keyboard-wedge (HID) readers type into the window: choose their output format in Settings, Reader.',
  'hid-udev':
    'HID (keyboard-wedge) readers read directly need a udev rule giving the desk user access to /dev/hidraw* (see the README); without one they still type into the window.',
} as const satisfies Record<SetupHintKey, string>;

/** What to check when a desk has no reader, by key (see SETUP_HINTS). */
export function setupHintKeys(platform: NodeJS.Platform = process.platform): SetupHintKey[] {
  if (platform === 'win32') return ['pcsc-win32', 'wedge'];
  if (platform === 'darwin') return ['pcsc-darwin', 'wedge'];
  return ['pcsc-linux', 'pn533', 'hid-udev'];
}

/** What to check when a desk has no reader, shown on the Readers screen. */
export function setupHints(platform: NodeJS.Platform = process.platform): string[] {
  return setupHintKeys(platform).map((key) => SETUP_HINTS[key]);
}
