/**
 * Keyboard-wedge readers type a card's UID and Enter faster than any person: a few milliseconds
 * between keys, the whole line in well under half a second. Where the OS owns the keyboard
 * (Windows, macOS) that is the only way to hear them, so the window tells a wedge from a person
 * by that timing. Pure logic (no DOM) so it is tested on recorded key timings.
 */
export interface WedgeTiming {
  /** The longest pause between two keys of one burst (readers: 1-20 ms; people: 80 ms and more). */
  maxGapMs: number;
  /** Fewer characters than this is not a UID (4 hex bytes are 8 characters; a decimal at least 4). */
  minLength: number;
}

export const DEFAULT_WEDGE_TIMING: WedgeTiming = { maxGapMs: 35, minLength: 4 };

/** Characters a wedge types for a UID in any format: hex digits and the usual separators. */
const WEDGE_CHARACTER = /^[0-9a-fA-F:\-. ]$/;

export class WedgeDetector {
  private burst = '';
  private last = -Infinity;

  constructor(private readonly timing: WedgeTiming = DEFAULT_WEDGE_TIMING) {}

  /**
   * One key (KeyboardEvent.key) at a time (KeyboardEvent.timeStamp, ms). Returns the burst when
   * Enter ends one typed at wedge speed, else null. A slow key starts a new burst.
   */
  key(key: string, time: number): string | null {
    const fast = time - this.last <= this.timing.maxGapMs;
    this.last = time;
    if (key === 'Enter' || key === 'Tab') {
      const burst = this.burst;
      this.burst = '';
      return fast && burst.length >= this.timing.minLength ? burst : null;
    }
    if (key.length !== 1 || !WEDGE_CHARACTER.test(key)) {
      this.burst = '';
      return null;
    }
    this.burst = fast ? this.burst + key : key;
    return null;
  }

  /** Whether keys are arriving at wedge speed right now (the window then keeps them out of fields). */
  inBurst(time: number): boolean {
    return this.burst.length > 0 && time - this.last <= this.timing.maxGapMs;
  }

  reset(): void {
    this.burst = '';
    this.last = -Infinity;
  }
}
