/**
 * Keyboard-wedge readers read through node-hid: the one adapter that loads it. Where the OS lets an
 * app open a keyboard (Linux, with a udev rule for /dev/hidraw*), the reader's reports are decoded
 * here into the typed UID; elsewhere the window captures the wedge's keystrokes (renderer/src/lib/wedge.ts).
 * Only the devices named in the reader settings (VID:PID) are opened, so no keyboard is ever read.
 */
import { createRequire } from 'node:module';
import { Listeners } from '../events';
import { uidFrom } from '../uid';
import { errorText } from './pcsc-codes';
import type { ReaderSettings } from './desk';
import { HidKeyboardDecoder } from './hid-keyboard';
import type { ReaderErrorDetail, ReaderEvent, ReaderInfo, ReaderSource } from './types';

/** The part of node-hid used here (its devicesAsync and HIDAsync.open). */
export interface HidLibrary {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  product?: string;
  manufacturer?: string;
}

export interface HidHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): Promise<void> | void;
}

export interface HidOptions {
  /** How often to look for HID readers coming and going. */
  pollMs?: number;
  /** Another implementation of node-hid's API (tests: no USB HID device exists on the build machines). */
  library?: HidLibrary;
}

function loadNodeHid(): HidLibrary {
  // node-hid ships N-API prebuilds (prebuilds/HID*-<os>-<arch>/node-napi-v4.node): one binary
  // that loads in Node and in Electron alike, so it needs no Electron build (see ../native.ts).
  const hid = createRequire(import.meta.url)('node-hid') as typeof import('node-hid');
  return { devicesAsync: () => hid.devicesAsync(), open: (path) => hid.HIDAsync.open(path) };
}

export function vidPid(device: HidDeviceInfo): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return `${hex(device.vendorId)}:${hex(device.productId)}`;
}

interface Open {
  handle: HidHandle;
  info: ReaderInfo;
  decoder: HidKeyboardDecoder;
}

export class HidReaders implements ReaderSource {
  readonly kind = 'hid' as const;
  private readonly events = new Listeners<ReaderEvent>();
  private readonly open = new Map<string, Open>();
  private readonly opening = new Set<string>();
  private readonly failed = new Set<string>();
  private library: HidLibrary | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly options: HidOptions & { settings: () => ReaderSettings; log?: (line: string) => void }) {}

  start(): void {
    if (this.running) return;
    try {
      this.library = this.options.library ?? loadNodeHid();
    } catch (error) {
      this.error(null, `HID readers are not available: ${errorText(error)}. Keyboard-wedge readers still type into the window.`, 'hid-unavailable', { key: 'hid-unavailable', params: { error: errorText(error) } });
      return;
    }
    this.running = true;
    void this.scan();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const open = [...this.open.values()];
    this.open.clear();
    await Promise.all(open.map((o) => Promise.resolve(o.handle.close()).catch(() => {})));
  }

  readers(): ReaderInfo[] {
    return [...this.open.values()].map((o) => o.info);
  }

  on(listener: (event: ReaderEvent) => void): () => void {
    return this.events.add(listener);
  }

  /** Look for the configured readers; open new ones, drop those gone. */
  async scan(): Promise<void> {
    if (!this.running || !this.library) return;
    const wanted = new Set(this.options.settings().hidDevices.map((d) => d.toUpperCase()));
    try {
      const devices = wanted.size === 0 ? [] : await this.library.devicesAsync();
      const present = new Set<string>();
      for (const device of devices) {
        if (!device.path || !wanted.has(vidPid(device))) continue;
        present.add(device.path);
        if (!this.open.has(device.path) && !this.opening.has(device.path) && !this.failed.has(device.path)) await this.attach(device);
      }
      for (const [path, o] of this.open) if (!present.has(path)) this.detach(path, o);
      for (const path of this.failed) if (!present.has(path)) this.failed.delete(path); // replugged: try again
    } catch (error) {
      this.error(null, `Looking for HID readers failed: ${errorText(error)}`, 'hid-enumerate', { key: 'hid-enumerate', params: { error: errorText(error) } });
    }
    if (this.running) this.timer = setTimeout(() => void this.scan(), this.options.pollMs ?? 2000);
  }

  private async attach(device: HidDeviceInfo): Promise<void> {
    const path = device.path!;
    const info: ReaderInfo = { name: `${device.product?.trim() || 'HID reader'} (${vidPid(device)})`, kind: 'hid' };
    this.opening.add(path);
    let handle: HidHandle;
    try {
      handle = await this.library!.open(path);
    } catch (error) {
      this.failed.add(path);
      this.error(
        info,
        `${info.name} cannot be opened: ${errorText(error)}. On Linux add the udev rule from the README for /dev/hidraw*; it still types into the window.`,
        'hid-open',
        { key: 'hid-open', params: { reader: info.name, error: errorText(error) } },
      );
      return;
    } finally {
      this.opening.delete(path);
    }
    const open: Open = { handle, info, decoder: new HidKeyboardDecoder() };
    this.open.set(path, open);
    handle.on('data', (data) => {
      for (const line of open.decoder.push(data)) this.line(info, line);
    });
    handle.on('error', (error) => {
      this.error(info, `${info.name}: ${errorText(error)}`, 'hid-read', { key: 'reader', params: { reader: info.name, error: errorText(error), cardLeft: false } });
      this.detach(path, open);
    });
    this.events.emit({ type: 'attached', reader: info });
  }

  private detach(path: string, open: Open): void {
    if (this.open.get(path) !== open) return;
    this.open.delete(path);
    open.decoder.reset();
    void Promise.resolve(open.handle.close()).catch(() => {});
    this.events.emit({ type: 'detached', reader: open.info });
  }

  /** One typed line: a UID in the configured format, converted exactly, or what is wrong with it. */
  private line(reader: ReaderInfo, text: string): void {
    const format = this.options.settings().wedgeFormat;
    const result = uidFrom(text.trim(), format);
    if (!result.ok) {
      const message = `${reader.name} typed "${text.trim()}", which is not a UID in the configured ${format} format: ${result.error}`;
      this.options.log?.(message);
      const detail = { key: 'wedge-not-uid', params: { typed: text.trim(), format, problem: result.problem ?? null } } as const;
      this.events.emit({ type: 'unreadable', reader, message, cardType: null, atr: null, statusWord: null, card: null, detail });
      return;
    }
    this.events.emit({ type: 'card', reader, uid: result.uid, cardType: `keyboard wedge (${format})`, atr: null, card: { key: 'wedge', params: { format } } });
  }

  private error(reader: ReaderInfo | null, message: string, code: string, detail: ReaderErrorDetail): void {
    this.options.log?.(`${message} [${code}]`);
    this.events.emit({ type: 'error', reader, message, code, detail });
  }
}
