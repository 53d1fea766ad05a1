// nfc-pcsc 0.8 ships no types: the part of its API the PC/SC adapter uses.
declare module 'nfc-pcsc' {
  import type { EventEmitter } from 'node:events';

  export interface Card {
    atr?: Buffer;
    standard?: string;
    type?: string;
    uid?: string;
  }

  export interface PcscReader extends EventEmitter {
    name: string;
  }

  export class Reader extends EventEmitter {
    reader: PcscReader;
    autoProcessing: boolean;
    get name(): string;
    /** Send an APDU to the connected card (or a reader-intercepted pseudo-APDU). */
    transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
    close(): void;
  }

  export class NFC extends EventEmitter {
    constructor(logger?: unknown);
    close(): void;
  }
}
