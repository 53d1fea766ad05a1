/** The desk's sync settings (hold period, batch size) as the Settings → Sync form edits them. */
import { describeError, station } from '../lib/station';
import type { CallOutput } from '../lib/types';

export type SyncSettings = CallOutput<'sync.settings'>;

/** The core's limits (electron/core/sync/settings.ts); the core checks them again. */
export const HOLD_MAX_MINUTES = 24 * 60;
export const BATCH_MIN = 1;
export const BATCH_MAX = 500;

export type SyncField = 'holdMinutes' | 'batchSize';

/** A typed value as a whole number within [min, max], or null. */
function wholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

export class SyncSettingsForm {
  saved = $state.raw<SyncSettings | null>(null);
  hold = $state('');
  batch = $state('');
  /** Whether the last save went through (cleared by the next edit). */
  done = $state(false);
  busy = $state(false);
  /** The core's refusal, in its words. */
  error = $state<string | null>(null);

  readonly invalid = $derived({
    holdMinutes: wholeNumber(this.hold, 0, HOLD_MAX_MINUTES) === null,
    batchSize: wholeNumber(this.batch, BATCH_MIN, BATCH_MAX) === null,
  });

  readonly changed = $derived(
    this.saved !== null && (String(this.saved.holdMinutes) !== this.hold.trim() || String(this.saved.batchSize) !== this.batch.trim()),
  );

  async load(): Promise<void> {
    try {
      this.apply(await station.call('sync.settings', {}));
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  edited(): void {
    this.done = false;
  }

  /** Save both values; nothing is sent while either is out of range. */
  async save(): Promise<boolean> {
    if (this.invalid.holdMinutes || this.invalid.batchSize) return false;
    this.busy = true;
    try {
      this.apply(await station.call('sync.updateSettings', { holdMinutes: Number(this.hold.trim()), batchSize: Number(this.batch.trim()) }));
      this.error = null;
      this.done = true;
      return true;
    } catch (error) {
      this.error = describeError(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private apply(value: SyncSettings): void {
    this.saved = value;
    this.hold = String(value.holdMinutes);
    this.batch = String(value.batchSize);
  }
}
