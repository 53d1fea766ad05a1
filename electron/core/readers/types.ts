/** What every reader source (PC/SC, simulated, later HID) reports. */

export type ReaderKind = 'pcsc' | 'simulated';

export interface ReaderInfo {
  name: string;
  kind: ReaderKind;
}

export type ReaderEvent =
  | { type: 'attached'; reader: ReaderInfo }
  | { type: 'detached'; reader: ReaderInfo }
  /** A card's UID was read (canonical upper-case hex). */
  | { type: 'card'; reader: ReaderInfo; uid: string; cardType: string | null }
  | { type: 'card-removed'; reader: ReaderInfo }
  | { type: 'error'; reader: ReaderInfo | null; message: string; code: string | null };

/** The last thing that went wrong with a reader, kept so a window opened later still sees it. */
export interface ReaderError {
  reader: string | null;
  message: string;
  code: string | null;
  at: string;
}

export interface ReaderStatus {
  readers: ReaderInfo[];
  lastError: ReaderError | null;
}

export interface ReaderSource {
  readonly kind: ReaderKind;
  start(): void;
  stop(): Promise<void>;
  readers(): ReaderInfo[];
  on(listener: (event: ReaderEvent) => void): () => void;
}
