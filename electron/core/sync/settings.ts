/** The desk's sync settings, kept in the settings table under 'sync'. */
import { z } from 'zod';
import type { Settings } from '../settings';

/** The largest batch the desk may choose: Spirii documents no limit, 500 matches its page size. */
export const MAX_BATCH_SIZE = 500;

export const syncSettingsSchema = z
  .object({
    /** Minutes a new token waits before it is sent, so a mistake can be fixed while it is only local; 0: off. */
    holdMinutes: z.number().int().min(0).max(24 * 60),
    /** Tokens per POST to Spirii: one write request carries up to this many (the rate limit counts requests). */
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE),
  })
  .strict();

export type SyncSettings = z.infer<typeof syncSettingsSchema>;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = { holdMinutes: 0, batchSize: 100 };

const KEY = 'sync';

export class SyncSettingsStore {
  private value: SyncSettings;

  constructor(private readonly settings: Settings) {
    const stored = syncSettingsSchema.safeParse({ ...DEFAULT_SYNC_SETTINGS, ...settings.get<object>(KEY, {}) });
    this.value = stored.success ? stored.data : DEFAULT_SYNC_SETTINGS;
  }

  /**
   * Settings a host gives a fresh install (nothing stored yet): stored at once, so every process
   * on this data folder (the window, the CLI) uses the same values. A stored choice always wins.
   */
  seed(defaults: Partial<SyncSettings>): void {
    if (this.settings.get<object | null>(KEY, null) !== null) return;
    this.update(defaults);
  }

  /** Read from memory: a tap consults it without touching the disk again. */
  get current(): SyncSettings {
    return { ...this.value };
  }

  update(patch: Partial<SyncSettings>): SyncSettings {
    const result = syncSettingsSchema.safeParse({ ...this.value, ...patch });
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`${issue.path.join('.') || 'sync settings'}: ${issue.message}`);
    }
    this.settings.set(KEY, result.data);
    this.value = result.data;
    return this.current;
  }
}
