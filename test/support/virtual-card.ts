/**
 * A contactless card for vsmartcard-vpcd, the virtual PC/SC reader driver that pcscd loads.
 *
 * vpcd listens on TCP (35963 for "Virtual PCD 00 00", 35964 for "00 01"); a card "is on the reader"
 * while its TCP connection is open. Every message, both ways, is a 2-byte big-endian length and a
 * payload. A 1-byte payload from vpcd is a control code (0 power off, 1 power on, 2 reset,
 * 4 "send your ATR"); anything longer is an APDU that the card must answer.
 * Protocol: vsmartcard's virtualsmartcard/src/vpcd/vpcd.c and vpicc/virtualsmartcard/VirtualSmartcard.py.
 */
import net from 'node:net';

/** The ATR a PC/SC reader synthesises for a MIFARE Classic 1K (PC/SC part 3, ISO 14443-3 card). */
export const MIFARE_CLASSIC_1K_ATR = '3B8F8001804F0CA000000306030001000000006A';

export const VPCD_PORTS = [35963, 35964] as const;

/**
 * What an Android phone (host card emulation) or a wallet presents: an ISO 14443-4 ATR with no
 * historical bytes (3B 80 80 01 01), and a random 4-byte UID starting with 08.
 */
export const PHONE_ATR = '3B80800101';

/** A MIFARE DESFire EV1 (ISO 14443-4, historical bytes 80 80 -> TCK); its FF CA gives the 7-byte UID. */
export const DESFIRE_ATR = '3B8180018080';

/** A random ID as a phone or a privacy card shows it: 4 bytes, the first 08, new at every tap. */
export function randomIdUid(): string {
  return `08${Array.from({ length: 3 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
}

export interface VirtualCardOptions {
  /** The card's UID as hex, e.g. "04A224B2C35D80". */
  uid: string;
  atr?: string;
  port?: number;
  host?: string;
  /** Answer an APDU differently (return hex, or undefined for the default behaviour). */
  respond?: (apdu: Buffer) => string | undefined;
  /** Answer GET DATA (FF CA) with this status word alone, e.g. "6300", as a card the reader cannot read. */
  uidStatus?: string;
  /** Leave the reader in the middle of this APDU: the connection drops instead of an answer. */
  dropOn?: (apdu: Buffer) => boolean;
}

const isGetUid = (apdu: Buffer) => apdu.length >= 4 && apdu[0] === 0xff && apdu[1] === 0xca;

/** The default answers of a PC/SC contactless reader with an ISO 14443-3 card on it. */
function defaultAnswer(apdu: Buffer, uid: Buffer): Buffer {
  // FF CA 00 00 Le: GET DATA (UID), PC/SC part 3 section 3.2.2.1.3.
  if (apdu.length >= 4 && apdu[0] === 0xff && apdu[1] === 0xca && apdu[2] === 0x00) {
    return Buffer.concat([uid, Buffer.from([0x90, 0x00])]);
  }
  return Buffer.from([0x6a, 0x81]); // function not supported
}

export interface VirtualCard {
  /** Every APDU the reader sent, as upper-case hex. */
  readonly apdus: string[];
  /** Resolves once the reader has powered the card and asked for its ATR. */
  readonly poweredOn: Promise<void>;
  /** Take the card off the reader. */
  remove(): Promise<void>;
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(2);
  header.writeUInt16BE(payload.length);
  return Buffer.concat([header, payload]);
}

/** Put a card on a virtual reader; it stays there until `remove()`. */
export function placeCard(options: VirtualCardOptions): Promise<VirtualCard> {
  const uid = Buffer.from(options.uid, 'hex');
  const atr = Buffer.from(options.atr ?? MIFARE_CLASSIC_1K_ATR, 'hex');
  const apdus: string[] = [];
  let pending = Buffer.alloc(0);
  let markPowered: () => void = () => {};
  const poweredOn = new Promise<void>((resolve) => (markPowered = resolve));

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port ?? VPCD_PORTS[0] });
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const payload = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        if (length === 1) {
          if (payload[0] === 4) {
            socket.write(frame(atr));
            markPowered();
          }
          continue; // power off / on / reset need no answer
        }
        apdus.push(payload.toString('hex').toUpperCase());
        if (options.dropOn?.(payload)) {
          socket.destroy(); // the card is gone before it answered
          return;
        }
        if (options.uidStatus && isGetUid(payload)) {
          socket.write(frame(Buffer.from(options.uidStatus, 'hex')));
          continue;
        }
        const custom = options.respond?.(payload);
        socket.write(frame(custom === undefined ? defaultAnswer(payload, uid) : Buffer.from(custom, 'hex')));
      }
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // vpcd closing first is a normal way for a tap to end
      resolve({
        apdus,
        poweredOn,
        remove: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.end();
          }),
      });
    });
  });
}

/** Hold a card on the reader for `holdMs` (longer than the driver's ~400 ms poll), then remove it. */
export async function tapCard(options: VirtualCardOptions & { holdMs?: number }): Promise<VirtualCard> {
  const card = await placeCard(options);
  await new Promise((r) => setTimeout(r, options.holdMs ?? 1200));
  await card.remove();
  return card;
}

/** The same card tapped `times` times, `gapMs` apart (a desk tapping twice, a card bouncing on the reader). */
export async function tapRepeatedly(options: VirtualCardOptions & { holdMs?: number }, times: number, gapMs: number): Promise<VirtualCard[]> {
  const cards: VirtualCard[] = [];
  for (let i = 0; i < times; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
    cards.push(await tapCard(options));
  }
  return cards;
}
