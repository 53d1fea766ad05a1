/** What every reader source (PC/SC, HID keyboard wedge, simulated) reports. */
import type { QueuedToken } from '../queue';
import type { TapRefusal } from '../enrollment';
import type { UidFormat, UidProblem } from '../uid';

/** What the desk can do about a reader error (the English is `READER_HINTS` in ./pcsc-codes.ts; a window words them itself). */
export type ReaderHintKey =
  | 'unavailable-linux'
  | 'unavailable'
  | 'service-win32'
  | 'service-darwin'
  | 'service-linux'
  | 'card-left'
  | 'sharing'
  | 'reader-gone-linux'
  | 'reader-gone';

/** A hint as the window words it: by its key (no values: each hint is one fixed sentence). */
export type ReaderHint = { key: ReaderHintKey; params: Record<string, never> };

/** What to check when a desk has no reader (the English is `SETUP_HINTS` in ./pcsc-codes.ts). */
export type SetupHintKey = 'pcsc-win32' | 'pcsc-darwin' | 'pcsc-linux' | 'pn533' | 'wedge' | 'hid-udev';

export type ReaderKind = 'pcsc' | 'hid' | 'simulated';

export interface ReaderInfo {
  name: string;
  kind: ReaderKind;
}

/**
 * The kind of card, machine-readable, so a window can name it in its own language (`cardType` is
 * the English). Product names (MIFARE Classic 1K, FeliCa...) are `named` and stay as they are.
 */
export type CardKind =
  | { key: 'named'; params: { name: string } }
  | { key: 'no-atr'; params: Record<string, never> }
  | { key: 'memory'; params: { type: string } }
  | { key: 'phone'; params: Record<string, never> }
  | { key: 'iso14443'; params: { bytes: string } }
  | { key: 'unrecognised'; params: { atr: string } }
  | { key: 'wedge'; params: { format: UidFormat } }
  | { key: 'simulated'; params: Record<string, never> };

/**
 * Why a card gave no usable UID, machine-readable (the English is the event's `message`).
 * left: the card left mid-read (`got`: the hex the reader answered, null for no answer);
 * status-word: the reader answered something else than 90 00; bad-uid: the bytes are not a UID;
 * wedge-not-uid: a keyboard-wedge reader typed something that is not a UID in the configured format.
 */
export type UnreadableDetail =
  | { key: 'phone'; params: { atr: string | null } }
  | { key: 'left'; params: { got: string | null } }
  | { key: 'status-word'; params: { statusWord: string; atr: string | null } }
  | { key: 'bad-uid'; params: { problem: UidProblem | null } }
  | { key: 'wedge-not-uid'; params: { typed: string; format: UidFormat; problem: UidProblem | null } };

/**
 * What went wrong with a reader, machine-readable (the English is the error's `message`). `error`
 * is the outside text (the OS's, the driver's, the library's), shown as it is.
 */
export type ReaderErrorDetail =
  /** The PC/SC library could not be loaded at all. */
  | { key: 'unavailable'; params: { error: string } }
  /** The PC/SC service is not running: waiting for it. */
  | { key: 'no-service'; params: Record<string, never> }
  /** Opening a PC/SC context failed. */
  | { key: 'context'; params: { error: string } }
  /** The PC/SC service reported an error (it is then watched for until it answers again). */
  | { key: 'service'; params: { error: string } }
  /** A reader reported an error; `cardLeft` when its code says the card left. */
  | { key: 'reader'; params: { reader: string; error: string; cardLeft: boolean } }
  /** A card left before its UID was read. */
  | { key: 'card-left'; params: { reader: string; card: CardKind } }
  /** Reading a card's UID failed otherwise. */
  | { key: 'read-failed'; params: { reader: string; error: string } }
  /** A HID reader could not be opened (Linux: no udev rule). */
  | { key: 'hid-open'; params: { reader: string; error: string } }
  /** node-hid could not be loaded: wedges still type into the window. */
  | { key: 'hid-unavailable'; params: { error: string } }
  /** Listing the HID devices failed. */
  | { key: 'hid-enumerate'; params: { error: string } };

export type ReaderEvent =
  | { type: 'attached'; reader: ReaderInfo }
  | { type: 'detached'; reader: ReaderInfo }
  /** A card's UID was read whole (canonical upper-case hex). */
  | { type: 'card'; reader: ReaderInfo; uid: string; cardType: string | null; atr?: string | null; card?: CardKind }
  /** A card was seen but no usable UID came from it: what was seen is in the message (and `detail`). */
  | {
      type: 'unreadable';
      reader: ReaderInfo;
      message: string;
      cardType: string | null;
      atr: string | null;
      statusWord: string | null;
      card?: CardKind | null;
      detail?: UnreadableDetail;
    }
  | { type: 'card-removed'; reader: ReaderInfo }
  /** The smart-card service went away (`down`) or is back (`up`). */
  | { type: 'service'; state: 'up' | 'down' }
  /** `code`: the PC/SC code's name (SCARD_E_NO_SERVICE, ...) when there is one, else the library's. */
  | { type: 'error'; reader: ReaderInfo | null; message: string; code: string | null; detail?: ReaderErrorDetail };

/** The last thing that went wrong with a reader, kept so a window opened later still sees it. */
export interface ReaderError {
  reader: string | null;
  message: string;
  code: string | null;
  /** What the desk can do about it. */
  hint: string | null;
  /** The same hint, machine-readable (the window words it in its language). */
  hintDetail?: ReaderHint | null;
  detail?: ReaderErrorDetail | null;
  at: string;
}

/** Why the last card's outcome is what it is, machine-readable (the English is its `message`). */
export type LastCardDetail =
  | { key: 'ignored'; params: { chosen: string | null } }
  | { key: 'repeat'; params: { seconds: number } }
  | { key: 'refused'; params: { reason: TapRefusal; existing: QueuedToken | null } }
  | { key: 'label-needed'; params: Record<string, never> }
  | { key: 'unreadable'; params: { unreadable: UnreadableDetail } };

/** The last card a reader saw, and what became of it. */
export interface LastCard {
  reader: string;
  uid: string | null;
  cardType: string | null;
  /** The card type, machine-readable. */
  card: CardKind | null;
  at: string;
  /**
   * queued, label-needed (waiting for a typed label), refused (with the reason), unreadable, ignored
   * (another reader is chosen), repeat, identified (the desk was identifying cards: nothing queued).
   */
  outcome: 'queued' | 'label-needed' | 'refused' | 'unreadable' | 'ignored' | 'repeat' | 'identified';
  message: string | null;
  detail: LastCardDetail | null;
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
  /** The same hints, machine-readable, in the same order. */
  setup: SetupHintKey[];
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
