/**
 * PC/SC readers through nfc-pcsc: the one adapter that loads it. nfc-pcsc reports readers coming
 * and going and connects to each card; the UID is read here (GET DATA, FF CA 00 00 00) so that the
 * status word and the card type reach the desk, a card that leaves mid-read gives no UID at all,
 * and a phone is named as such. When the PC/SC service goes away (pcscd restarted, the Windows
 * Smart Card service stopped) every reader is dropped and the service is watched for until it is
 * back, without restarting the app.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { NFC as NfcType, Reader } from 'nfc-pcsc';
import { parseUid } from '../uid';
import { Listeners } from '../events';
import { describeAtr, describeStatusWord, errorCode, errorText, pcscCode, CARD_LEFT } from './pcsc-codes';
import type { ReaderErrorDetail, ReaderEvent, ReaderInfo, ReaderSource, UnreadableDetail } from './types';

export interface PcscReadersOptions {
  /** An Electron build of pcsclite.node to load instead of the package's own (see ../native.ts). */
  nativeAddon?: string;
  /** Readers given LED and buzzer feedback (reader-intercepted pseudo-APDUs): ACS ACR122U and ACR1252U. */
  feedbackReaders?: RegExp;
  /** How long to wait between looks for a PC/SC service that went away. */
  retryMs?: number;
  /** Whether the PC/SC service is there to talk to (see serviceReachable). */
  serviceAvailable?: () => Promise<boolean>;
  /** Where reader errors are written, with their PC/SC code. */
  log?: (line: string) => void;
}

/** ACS readers that take the FF 00 40 LED/buzzer pseudo-APDU (nfc-pcsc treats the two alike). */
export const ACS_FEEDBACK_READERS = /\bACR(122|1252)/i;

/** GET DATA, UID (PC/SC Part 3, 3.2.2.1.3); Le 00: the whole UID. */
const GET_UID = Buffer.from([0xff, 0xca, 0x00, 0x00, 0x00]);

/**
 * Bi-colour LED and buzzer control (ACR122U API, 6.2; also on the ACR1252U): FF 00 40 P2 04 T1 T2 N B.
 * Accepted: the green LED blinks once with a short beep. Refused: the red LED blinks twice, two beeps.
 */
export const FEEDBACK_APDUS = {
  ok: Buffer.from([0xff, 0x00, 0x40, 0xa8, 0x04, 0x01, 0x01, 0x01, 0x01]),
  refused: Buffer.from([0xff, 0x00, 0x40, 0x54, 0x04, 0x02, 0x02, 0x02, 0x01]),
};

/** SAM slots (e.g. the second slot of an ACR1252U) hold a secure module, never a customer's card. */
export function isSamSlot(name: string): boolean {
  return /\bSAM\b/i.test(name);
}

/**
 * pcsclite's context constructor retries, without pause, for as long as the service is missing:
 * it must not be called before the service is there. On Linux the service is reachable when its
 * socket accepts a connection (also with systemd socket activation, which then starts pcscd).
 * Elsewhere the OS keeps the service available (Windows restarts it when a reader is plugged).
 */
export function serviceReachable(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (platform !== 'linux') return Promise.resolve(true);
  const socketPath = env.PCSCLITE_CSOCK_NAME || '/run/pcscd/pcscd.comm';
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
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

interface Device {
  reader: Reader;
  info: ReaderInfo;
  /** Moves on at every insertion and removal: a read that sees it change was interrupted. */
  presence: number;
}

export class PcscReaders implements ReaderSource {
  readonly kind = 'pcsc' as const;
  private readonly events = new Listeners<ReaderEvent>();
  private readonly devices = new Map<string, Device>();
  private library: typeof import('nfc-pcsc') | null = null;
  private nfc: NfcType | null = null;
  private running = false;
  private serviceUp: boolean | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly feedbackReaders: RegExp;
  private readonly retryMs: number;
  private readonly serviceAvailable: () => Promise<boolean>;

  constructor(private readonly options: PcscReadersOptions = {}) {
    this.feedbackReaders = options.feedbackReaders ?? ACS_FEEDBACK_READERS;
    this.retryMs = options.retryMs ?? 1000;
    this.serviceAvailable = options.serviceAvailable ?? (() => serviceReachable());
  }

  start(): void {
    if (this.running) return;
    try {
      this.library = loadNfcPcsc(this.options.nativeAddon);
    } catch (error) {
      const text = errorText(error);
      this.error(null, `PC/SC is not available: ${text}. Install the smart-card service (pcscd on Linux) and restart.`, 'unavailable', { key: 'unavailable', params: { error: text } });
      return;
    }
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.teardown(false);
  }

  readers(): ReaderInfo[] {
    return [...this.devices.values()].map((d) => d.info);
  }

  /** Whether the PC/SC service answered the last time it was asked (null: not asked yet). */
  get service(): boolean | null {
    return this.serviceUp;
  }

  on(listener: (event: ReaderEvent) => void): () => void {
    return this.events.add(listener);
  }

  signal(reader: ReaderInfo, ok: boolean): void {
    const device = this.devices.get(reader.name);
    if (!device || !this.feedbackReaders.test(reader.name)) return;
    const failed = (error: unknown) =>
      this.options.log?.(`${reader.name}: LED/buzzer feedback not shown: ${errorText(error)} [${errorCode(error) ?? 'no code'}]`);
    // After the tap is handled: the reader's LED never delays the token being written.
    try {
      device.reader.transmit(ok ? FEEDBACK_APDUS.ok : FEEDBACK_APDUS.refused, 2).catch(failed);
    } catch (error) {
      failed(error); // nfc-pcsc throws at once when the card has already left
    }
  }

  /** Open a PC/SC context once the service is there; look again every retryMs until it is. */
  private async connect(): Promise<void> {
    this.retry = null;
    if (!this.running || this.nfc) return;
    const up = await this.serviceAvailable();
    if (!this.running || this.nfc) return;
    if (!up) {
      if (this.serviceUp !== false) {
        this.serviceUp = false;
        this.events.emit({ type: 'service', state: 'down' });
        this.error(null, 'The PC/SC service is not running (SCARD_E_NO_SERVICE); waiting for it to start.', 'SCARD_E_NO_SERVICE', { key: 'no-service', params: {} });
      }
      this.retry = setTimeout(() => void this.connect(), this.retryMs);
      return;
    }
    let nfc: NfcType;
    try {
      nfc = new this.library!.NFC();
    } catch (error) {
      this.error(null, `PC/SC: ${errorText(error)}`, errorCode(error), { key: 'context', params: { error: errorText(error) } });
      this.retry = setTimeout(() => void this.connect(), this.retryMs);
      return;
    }
    this.nfc = nfc;
    this.serviceUp = true;
    this.events.emit({ type: 'service', state: 'up' });
    nfc.on('reader', (reader: Reader) => {
      if (this.nfc === nfc) this.attach(reader);
      else reader.close();
    });
    nfc.on('error', (error: unknown) => {
      if (this.nfc !== nfc) return;
      const code = errorCode(error);
      this.error(null, `PC/SC service: ${errorText(error)}`, code, { key: 'service', params: { error: errorText(error) } });
      // pcsclite stops watching for readers after any error: start over once the service answers.
      this.serviceUp = false;
      this.events.emit({ type: 'service', state: 'down' });
      this.teardown(true);
      this.retry = setTimeout(() => void this.connect(), this.retryMs);
    });
  }

  private teardown(announce: boolean): void {
    const devices = [...this.devices.values()];
    this.devices.clear();
    for (const device of devices) {
      try {
        device.reader.close();
      } catch {
        // the reader may already be gone
      }
      if (announce) this.events.emit({ type: 'detached', reader: device.info });
    }
    const nfc = this.nfc;
    this.nfc = null;
    try {
      nfc?.close();
    } catch {
      // pcsclite throws if the service is already gone; nothing is left to close
    }
  }

  private error(reader: ReaderInfo | null, message: string, code: string | null, detail: ReaderErrorDetail): void {
    this.options.log?.(`${message}${code ? ` [${code}]` : ''}`);
    this.events.emit({ type: 'error', reader, message, code, detail });
  }

  private attach(reader: Reader): void {
    const name = reader.reader.name;
    if (isSamSlot(name)) {
      reader.close();
      return;
    }
    const device: Device = { reader, info: { name, kind: 'pcsc' }, presence: 0 };
    const current = () => this.devices.get(name) === device;
    this.devices.set(name, device);
    // The UID is read here, not by nfc-pcsc (which drops the status word and reads phones too).
    reader.autoProcessing = false;
    this.catchErrorsEmittedAsEventNames(device, current);

    reader.on('card', (card: { atr?: Buffer }) => {
      if (!current()) return;
      device.presence++;
      void this.read(device, card.atr ?? null);
    });
    reader.on('card.off', () => {
      if (!current()) return;
      device.presence++;
      this.events.emit({ type: 'card-removed', reader: device.info });
    });
    reader.on('error', (error: unknown) => {
      // During a service outage each reader reports it too; the service's own error says it once.
      if (!current() || (this.serviceUp === false && pcscCode(error) !== null)) return;
      this.error(device.info, `${name}: ${errorText(error)}`, errorCode(error), { key: 'reader', params: { reader: name, error: errorText(error), cardLeft: false } });
    });
    reader.on('end', () => {
      if (!current()) return;
      this.devices.delete(name);
      this.events.emit({ type: 'detached', reader: device.info });
    });
    this.events.emit({ type: 'attached', reader: device.info });
  }

  /** Read the UID of the card just connected; emit it only if it came whole from a card still there. */
  private async read(device: Device, atr: Buffer | null): Promise<void> {
    const presence = device.presence;
    const reader = device.info;
    const atrHex = atr ? atr.toString('hex').toUpperCase() : null;
    const { cardType, card, phone } = describeAtr(atr);
    const unreadable = (message: string, detail: UnreadableDetail, statusWord: string | null = null) => {
      this.options.log?.(`${reader.name}: ${message}`);
      this.events.emit({ type: 'unreadable', reader, message, cardType, atr: atrHex, statusWord, card, detail });
    };
    if (phone) {
      unreadable(`A ${cardType} was presented (ATR ${atrHex}). Phones and watches show a random ID at every tap and cannot be enrolled: use the customer's RFID card.`, { key: 'phone', params: { atr: atrHex } });
      return;
    }
    let response: Buffer;
    try {
      response = await device.reader.transmit(GET_UID, 12);
    } catch (error) {
      const code = errorCode(error);
      const left = device.presence !== presence || (code !== null && CARD_LEFT.has(code));
      this.error(
        reader,
        left
          ? `${reader.name}: the card (${cardType}) left the reader before its UID was read; nothing was enrolled. Hold it still and tap again.`
          : `${reader.name}: reading the card's UID failed: ${errorText(error)}`,
        code,
        left ? { key: 'card-left', params: { reader: reader.name, card } } : { key: 'read-failed', params: { reader: reader.name, error: errorText(error) } },
      );
      return;
    }
    if (device.presence !== presence || !this.devices.has(reader.name)) return; // gone meanwhile: no UID at all
    if (response.length < 2) {
      // What a reader returns when the card left during the exchange (vpcd does so too): nothing usable.
      const got = response.length === 0 ? null : response.toString('hex').toUpperCase();
      unreadable(
        `The ${cardType} left the reader before its UID was read (the reader got ${got === null ? 'no answer' : `only ${got}`}); nothing was enrolled. Hold it still and tap again.`,
        { key: 'left', params: { got } },
      );
      return;
    }
    const statusWord = response.subarray(-2).toString('hex').toUpperCase();
    if (statusWord !== '9000') {
      unreadable(
        `The ${cardType} did not give its UID: the reader answered ${describeStatusWord(statusWord)} instead of 90 00 (ATR ${atrHex}).`,
        { key: 'status-word', params: { statusWord, atr: atrHex } },
        statusWord,
      );
      return;
    }
    const bytes = response.subarray(0, -2).toString('hex');
    const parsed = parseUid(bytes);
    if (!parsed.ok) {
      unreadable(`The ${cardType} gave an unusable UID: ${parsed.error}.`, { key: 'bad-uid', params: { problem: parsed.problem ?? null } }, statusWord);
      return;
    }
    this.events.emit({ type: 'card', reader, uid: parsed.uid, cardType, atr: atrHex, card });
  }

  /** nfc-pcsc 0.8 sometimes calls `this.emit(err)`: the error object becomes the event name and is lost. */
  private catchErrorsEmittedAsEventNames(device: Device, current: () => boolean): void {
    const reader = device.reader;
    const emit = reader.emit.bind(reader);
    reader.emit = (event: string | symbol | Error, ...args: unknown[]): boolean => {
      if (event instanceof Error) {
        const code = errorCode(event);
        const left = code !== null && CARD_LEFT.has(code) ? 'the card left the reader before it could be read: ' : '';
        if (current()) this.error(device.info, `${device.info.name}: ${left}${errorText(event)}`, code, { key: 'reader', params: { reader: device.info.name, error: errorText(event), cardLeft: left !== '' } });
        return true;
      }
      return emit(event, ...args);
    };
  }
}
