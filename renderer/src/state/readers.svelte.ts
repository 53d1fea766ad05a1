/** The readers' health, the reader settings, the UID converter, and UIDs typed by a keyboard wedge. */
import { describeError, station } from '../lib/station';
import type { CallOutput, EventPayload } from '../lib/types';
import { WedgeDetector } from '../lib/wedge';

export type ReaderStatus = EventPayload<'readers'>;
export type ReaderSettings = CallOutput<'readers.settings'>;
export type UidConversion = CallOutput<'uid.convert'>;
export type UidFormat = UidConversion['from'];
export type TypedResult = CallOutput<'readers.wedgeTap'>;

export const UID_FORMATS = ['hex', 'reversed', 'decimal', '8h10d'] as const satisfies readonly UidFormat[];

/** A UID a wedge typed, converted and shown, not yet enrolled. */
export interface WedgeRead {
  typed: string;
  format: UidFormat;
  conversion: UidConversion;
}

class ReadersState {
  status = $state.raw<ReaderStatus | null>(null);
  settings = $state.raw<ReaderSettings | null>(null);
  error = $state<string | null>(null);
  /** A wedge read waiting for the desk to confirm the conversion. */
  pending = $state.raw<WedgeRead | null>(null);
  /** What the last wedge read became. */
  lastTyped = $state.raw<TypedResult | null>(null);
  readonly detector = new WedgeDetector();
  private stops: (() => void)[] = [];
  private started = false;

  /** Load the status and settings and follow changes (once, however many components ask). */
  async start(): Promise<() => void> {
    if (this.started) return () => {};
    this.started = true;
    this.stops.push(station.on('readers', (status) => (this.status = status)));
    const [status, settings] = await Promise.all([station.call('readers.status', {}), station.call('readers.settings', {})]);
    this.status = status;
    this.settings = settings;
    return () => {
      this.started = false;
      for (const stop of this.stops.splice(0)) stop();
    };
  }

  async configure(patch: Partial<ReaderSettings>): Promise<void> {
    try {
      this.settings = await station.call('readers.configure', patch);
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  convert(value: string, from: UidFormat): Promise<UidConversion> {
    return station.call('uid.convert', { value, from });
  }

  /** A burst the window caught: converted first; hex goes straight on, other formats wait for the desk. */
  async typed(value: string): Promise<void> {
    const format = this.settings?.wedgeFormat ?? 'hex';
    const conversion = await this.convert(value, format);
    if (format === 'hex' && conversion.ok && !conversion.warning) {
      await this.enroll({ typed: value, format, conversion });
      return;
    }
    this.pending = { typed: value, format, conversion };
  }

  async enroll(read: WedgeRead | null = this.pending): Promise<void> {
    if (!read) return;
    this.pending = null;
    try {
      this.lastTyped = await station.call('readers.wedgeTap', { value: read.typed, format: read.format });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  discard(): void {
    this.pending = null;
  }
}

export const readers = new ReadersState();
