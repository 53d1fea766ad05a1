/** What every reader source (PC/SC, HID keyboard wedge, simulated) reports. */

export type ReaderKind = 'pcsc' | 'hid' | 'simulated';

export interface ReaderInfo {
  name: string;
  kind: ReaderKind;
}

export type ReaderEvent =
  | { type: 'attached'; reader: ReaderInfo }
  | { type: 'detached'; reader: ReaderInfo }
  /** A card's UID was read whole (canonical upper-case hex). */
  | { type: 'card'; reader: ReaderInfo; uid: string; cardType: string | null; atr?: string | null }
  /** A card was seen but no usable UID came from it: what was seen is in the message. */
  | { type: 'unreadable'; reader: ReaderInfo; message: string; cardType: string | null; atr: string | null; statusWord: string | null }
  | { type: 'card-removed'; reader: ReaderInfo }
  /** The smart-card service went away (`down`) or is back (`up`). */
  | { type: 'service'; state: 'up' | 'down' }
  /** `code`: the PC/SC code's name (SCARD_E_NO_SERVICE, ...) when there is one, else the library's. */
  | { type: 'error'; reader: ReaderInfo | null; message: string; code: string | null };

/** The last thing that went wrong with a reader, kept so a window opened later still sees it. */
export interface ReaderError {
  reader: string | null;
  message: string;
  code: string | null;
  /** What the desk can do about it. */
  hint: string | null;
  at: string;
}

/** The last card a reader saw, and what became of it. */
export interface LastCard {
  reader: string;
  uid: string | null;
  cardType: string | null;
  at: string;
  /** queued, label-needed (waiting for a typed label), refused (with the reason), unreadable, ignored (another reader is chosen), repeat. */
  outcome: 'queued' | 'label-needed' | 'refused' | 'unreadable' | 'ignored' | 'repeat';
  message: string | null;
}

export interface ReaderStatus {
  readers: ReaderInfo[];
  /** The desk's choice: null for any reader. */
  chosen: string | null;
  /** The readers whose cards are enrolled now. */
  active: string[];
  /** The smart-card service: up, down (waiting for it), or off (PC/SC is not used). */
  service: 'up' | 'down' | 'off';
  lastCard: LastCard | null;
  lastError: ReaderError | null;
  /** What to check when no reader shows up (driver, service, udev). */
  hints: string[];
}

export interface ReaderSource {
  readonly kind: ReaderKind;
  start(): void;
  stop(): Promise<void>;
  readers(): ReaderInfo[];
  on(listener: (event: ReaderEvent) => void): () => void;
  /** Show the outcome of a tap on the reader itself (LED, buzzer) where it can. Never throws. */
  signal?(reader: ReaderInfo, ok: boolean): void;
}
