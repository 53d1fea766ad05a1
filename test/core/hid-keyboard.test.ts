// HID keyboard-wedge decoding, from report byte sequences. No HID device exists on the build
// machines: the sequences are what a boot-protocol keyboard wedge sends (HID 1.11 Appendix B.1
// reports, usage IDs from the HID Usage Tables), written out byte for byte, including the
// key-up reports between keys, a Shift-ed letter, a key held over two reports, and Enter.
import { describe, expect, it } from 'vitest';
import { decodeReports, HidKeyboardDecoder } from '../../electron/core/readers/hid-keyboard';
import { HidReaders, type HidHandle, type HidLibrary } from '../../electron/core/readers/hid';
import { DEFAULT_READER_SETTINGS, type ReaderSettings } from '../../electron/core/readers/desk';
import type { ReaderEvent } from '../../electron/core/readers/types';

const r = (...bytes: number[]) => Uint8Array.from(bytes);
const UP = r(0, 0, 0, 0, 0, 0, 0, 0);

/** "0004A224B2\n" typed as a 10-digit decimal wedge types it: digits then Enter, each key down then up. */
const DECIMAL_0080A402 = [
  // 2 1 5 8 2 3 2 2 2 6  = 2158232226
  ...[0x1f, 0x1e, 0x22, 0x25, 0x1f, 0x20, 0x1f, 0x1f, 0x1f, 0x23].flatMap((k) => [r(0, 0, k, 0, 0, 0, 0, 0), UP]),
  r(0, 0, 0x28, 0, 0, 0, 0, 0),
  UP,
];

describe('HID keyboard reports', () => {
  it('decode into the typed line, Enter ending it', () => {
    expect(decodeReports(DECIMAL_0080A402)).toEqual(['2158232226']);
  });

  it('type a key once while it is held, twice when pressed twice, and follow Shift', () => {
    const reports = [
      r(0x02, 0, 0x04, 0, 0, 0, 0, 0), // Shift + a -> "A"
      r(0x02, 0, 0x04, 0, 0, 0, 0, 0), // still held: not typed again
      UP,
      r(0, 0, 0x27, 0, 0, 0, 0, 0), // 0
      UP,
      r(0, 0, 0x27, 0, 0, 0, 0, 0), // 0 again after release
      r(0, 0, 0x27, 0x21, 0, 0, 0, 0), // 0 held, 4 pressed (rollover)
      UP,
      r(0x20, 0, 0x33, 0, 0, 0, 0, 0), // right Shift + ; -> ":"
      UP,
      r(0, 0, 0x0e, 0, 0, 0, 0, 0), // k: not hex, still typed (the line is judged later)
      UP,
      r(0, 0, 0x58, 0, 0, 0, 0, 0), // keypad Enter
      UP,
    ];
    expect(decodeReports(reports)).toEqual(['A004:k']);
  });

  it('skip a report ID byte, ignore phantom rollover reports, and keep lines apart', () => {
    const withId = [r(1, 0, 0, 0x1e, 0, 0, 0, 0, 0), r(1, 0, 0, 0x28, 0, 0, 0, 0, 0), r(1, 0, 0, 0x1f, 0, 0, 0, 0, 0), r(1, 0, 0, 0x28, 0, 0, 0, 0, 0)];
    expect(decodeReports(withId, { reportId: true })).toEqual(['1', '2']);
    const decoder = new HidKeyboardDecoder();
    expect(decoder.push(r(0, 0, 1, 1, 1, 1, 1, 1))).toEqual([]);
    expect(decoder.push(r(0, 0, 0x1e, 0, 0, 0, 0, 0))).toEqual([]);
    expect(decoder.push(r(0, 0, 0x28, 0, 0, 0, 0, 0))).toEqual(['1']);
  });
});

/**
 * node-hid's API over a device that is not there: no USB HID device exists on the build machines,
 * so this fake stands in for one, replaying recorded reports. Everything above it is the real adapter.
 */
class FakeDevice implements HidHandle {
  private readonly listeners = new Map<string, ((value: never) => void)[]>();
  closed = false;
  on(event: string, listener: (value: never) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, value: unknown) {
    for (const l of this.listeners.get(event) ?? []) l(value as never);
  }
  close() {
    this.closed = true;
  }
}

describe('HID readers through node-hid', () => {
  it('open only the configured device, turn its reports into cards in the configured format, and notice it leaving', async () => {
    const device = new FakeDevice();
    let plugged = true;
    const library: HidLibrary = {
      devicesAsync: async () =>
        plugged
          ? [
              { vendorId: 0xffff, productId: 0x0035, path: '/dev/hidraw3', product: 'USB Reader' },
              { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', product: 'Keyboard' },
            ]
          : [],
      open: async (path) => {
        if (path !== '/dev/hidraw3') throw new Error('a keyboard must never be opened');
        return device;
      },
    };
    const settings: ReaderSettings = { ...DEFAULT_READER_SETTINGS, hidDevices: ['FFFF:0035'], wedgeFormat: 'decimal' };
    const hid = new HidReaders({ library, settings: () => settings, pollMs: 20 });
    const events: ReaderEvent[] = [];
    hid.on((e) => events.push(e));
    hid.start();
    await expect.poll(() => hid.readers()).toEqual([{ name: 'USB Reader (FFFF:0035)', kind: 'hid' }]);
    for (const report of DECIMAL_0080A402) device.emit('data', Buffer.from(report));
    for (const report of [r(0, 0, 0x04, 0, 0, 0, 0, 0), r(0, 0, 0x28, 0, 0, 0, 0, 0)]) device.emit('data', Buffer.from(report));
    expect(events.slice(1)).toEqual([
      { type: 'card', reader: { name: 'USB Reader (FFFF:0035)', kind: 'hid' }, uid: '80A402A2', cardType: 'keyboard wedge (decimal)', atr: null, card: { key: 'wedge', params: { format: 'decimal' } } },
      expect.objectContaining({
        type: 'unreadable',
        message: expect.stringMatching(/typed "a", which is not a UID in the configured decimal format/),
        detail: { key: 'wedge-not-uid', params: { typed: 'a', format: 'decimal', problem: { key: 'not-decimal', params: { input: 'a' } } } },
      }),
    ]);
    plugged = false;
    await expect.poll(() => hid.readers()).toEqual([]);
    expect(device.closed).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'detached' });
    await hid.stop();
  });
});
