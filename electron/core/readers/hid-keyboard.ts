/**
 * Keyboard reports into typed text: what a keyboard-wedge reader sends over USB HID. A boot-protocol
 * keyboard report is 8 bytes (HID 1.11, Appendix B.1): modifier bits, a reserved byte, and up to six
 * pressed keys as usage IDs (HID Usage Tables, chapter 10). A key is typed when it appears in a report
 * it was not in before; Enter (or Tab) ends a line.
 */

const SHIFT = 0x02 | 0x20; // left and right Shift
const ENTER = new Set([0x28, 0x58]); // Enter, keypad Enter
const TAB = 0x2b;

/** The character a usage ID types, unshifted and shifted (only what UIDs and decimals need, and separators). */
function character(usage: number, shifted: boolean): string | null {
  if (usage >= 0x04 && usage <= 0x1d) {
    const letter = String.fromCharCode(0x61 + usage - 0x04);
    return shifted ? letter.toUpperCase() : letter;
  }
  if (usage >= 0x1e && usage <= 0x27 && !shifted) return usage === 0x27 ? '0' : String(usage - 0x1d);
  if (usage >= 0x59 && usage <= 0x62) return usage === 0x62 ? '0' : String(usage - 0x58); // keypad digits
  switch (usage) {
    case 0x2c:
      return ' ';
    case 0x2d:
      return shifted ? '_' : '-';
    case 0x33:
      return shifted ? ':' : ';';
    case 0x37:
      return shifted ? '>' : '.';
    case 0x56:
      return '-'; // keypad minus
    default:
      return null;
  }
}

export interface HidKeyboardDecoderOptions {
  /** Reports begin with a report ID byte (devices with several report types). */
  reportId?: boolean;
}

export class HidKeyboardDecoder {
  private previous = new Set<number>();
  private text = '';

  constructor(private readonly options: HidKeyboardDecoderOptions = {}) {}

  /** Feed one report; returns the lines it completed (usually none, or one at Enter). */
  push(report: Uint8Array): string[] {
    const data = this.options.reportId ? report.subarray(1) : report;
    if (data.length < 3) return [];
    const shifted = (data[0]! & SHIFT) !== 0;
    const keys = [...data.subarray(2, 8)].filter((k) => k > 0x03); // 0: none, 1-3: rollover/errors
    // Phantom state (every slot "ErrorRollOver"): too many keys at once, nothing is known; skip it.
    if (data.subarray(2, 8).every((k) => k === 0x01)) return [];
    const lines: string[] = [];
    for (const key of keys) {
      if (this.previous.has(key)) continue; // still held from the last report: not typed again
      if (ENTER.has(key) || key === TAB) {
        lines.push(this.text);
        this.text = '';
        continue;
      }
      const typed = character(key, shifted);
      if (typed !== null) this.text += typed;
    }
    this.previous = new Set(keys);
    return lines;
  }

  /** Forget a half-typed line (the device went away). */
  reset(): void {
    this.previous.clear();
    this.text = '';
  }
}

/** Decode a whole recorded sequence of reports into its lines. */
export function decodeReports(reports: readonly Uint8Array[], options?: HidKeyboardDecoderOptions): string[] {
  const decoder = new HidKeyboardDecoder(options);
  return reports.flatMap((report) => decoder.push(report));
}
