/**
 * PC/SC readers through nfc-pcsc: the one adapter that loads it. nfc-pcsc reads the UID itself
 * (GET DATA, FF CA 00 00 00) for ISO 14443-3 cards and reports the reader's coming and going.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { NFC as NfcType, Reader } from 'nfc-pcsc';
import { parseUid } from '../uid';
import { Listeners } from '../events';
import type { ReaderEvent, ReaderInfo, ReaderSource } from './types';

export interface PcscReadersOptions {
  /** An Electron build of pcsclite.node to load instead of the package's own (see ../native.ts). */
  nativeAddon?: string;
}

/** SAM slots (e.g. the second slot of an ACR1252U) hold a secure module, never a customer's card. */
function isSamSlot(name: string): boolean {
  return /\bSAM\b/i.test(name);
}

/**
 * Load nfc-pcsc, and with it @pokusew/pcsclite, lazily: a machine without PC/SC still runs the app
 * (simulated reader, import), and in Electron the addon is swapped for its Electron build while
 * pcsclite's `bindings` looks for build/Release/pcsclite.node.
 */
function loadNfcPcsc(nativeAddon: string | undefined): typeof import('nfc-pcsc') {
  const require = createRequire(import.meta.url);
  if (!nativeAddon) return require('nfc-pcsc');
  const dlopen = process.dlopen;
  // Pass the remaining arguments through as given: dlopen refuses an explicit `undefined` flags.
  process.dlopen = (module: object, filename: string, ...rest: [number?]) =>
    dlopen.call(process, module, path.basename(filename) === 'pcsclite.node' ? nativeAddon : filename, ...rest);
  try {
    return require('nfc-pcsc');
  } finally {
    process.dlopen = dlopen;
  }
}

function errorCode(error: unknown): string | null {
  if (error && typeof error === 'object' && 'code' in error && error.code != null) return String(error.code);
  return null;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { previous?: unknown }).previous;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

export class PcscReaders implements ReaderSource {
  readonly kind = 'pcsc' as const;
  private readonly events = new Listeners<ReaderEvent>();
  private readonly present = new Map<string, ReaderInfo>();
  private readonly devices = new Set<Reader>();
  private nfc: NfcType | null = null;

  constructor(private readonly options: PcscReadersOptions = {}) {}

  start(): void {
    if (this.nfc) return;
    let nfc: NfcType;
    try {
      const { NFC } = loadNfcPcsc(this.options.nativeAddon);
      nfc = new NFC();
    } catch (error) {
      this.events.emit({
        type: 'error',
        reader: null,
        message: `PC/SC is not available: ${errorText(error)}. Install the smart-card service (pcscd on Linux) and restart.`,
        code: errorCode(error),
      });
      return;
    }
    this.nfc = nfc;
    nfc.on('reader', (device: Reader) => this.attach(device));
    nfc.on('error', (error: unknown) =>
      this.events.emit({ type: 'error', reader: null, message: `PC/SC: ${errorText(error)}`, code: errorCode(error) }),
    );
  }

  async stop(): Promise<void> {
    for (const device of this.devices) {
      try {
        device.close();
      } catch {
        // the reader may already be gone
      }
    }
    this.devices.clear();
    this.present.clear();
    try {
      this.nfc?.close();
    } catch {
      // pcsclite throws if the service is already gone; nothing is left to close
    }
    this.nfc = null;
  }

  readers(): ReaderInfo[] {
    return [...this.present.values()];
  }

  on(listener: (event: ReaderEvent) => void): () => void {
    return this.events.add(listener);
  }

  private attach(device: Reader): void {
    const name = device.reader.name;
    if (isSamSlot(name)) {
      device.close();
      return;
    }
    const reader: ReaderInfo = { name, kind: 'pcsc' };
    this.devices.add(device);
    this.present.set(name, reader);
    this.catchErrorsEmittedAsEventNames(device, reader);

    device.on('card', (card: { uid?: string; type?: string }) => {
      if (!card.uid) return; // ISO 14443-4 cards are read by handleTag only when an AID is set: not a token card
      const parsed = parseUid(card.uid);
      if (!parsed.ok) {
        this.events.emit({ type: 'error', reader, message: `Card on ${name} gave an unusable UID: ${parsed.error}`, code: null });
        return;
      }
      this.events.emit({ type: 'card', reader, uid: parsed.uid, cardType: card.type ?? null });
    });
    device.on('card.off', () => this.events.emit({ type: 'card-removed', reader }));
    device.on('error', (error: unknown) =>
      this.events.emit({ type: 'error', reader, message: `${name}: ${errorText(error)}`, code: errorCode(error) }),
    );
    device.on('end', () => {
      this.devices.delete(device);
      this.present.delete(name);
      this.events.emit({ type: 'detached', reader });
    });
    this.events.emit({ type: 'attached', reader });
  }

  /** nfc-pcsc 0.8 sometimes calls `this.emit(err)`: the error object becomes the event name and is lost. */
  private catchErrorsEmittedAsEventNames(device: Reader, reader: ReaderInfo): void {
    const emit = device.emit.bind(device);
    device.emit = (event: string | symbol | Error, ...args: unknown[]): boolean => {
      if (event instanceof Error) {
        this.events.emit({ type: 'error', reader, message: `${reader.name}: ${errorText(event)}`, code: errorCode(event) });
        return true;
      }
      return emit(event, ...args);
    };
  }
}
