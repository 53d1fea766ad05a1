/** The desk's sync settings, kept in the settings table under 'sync'. */
import { z } from 'zod';
import { InvalidSettingError, SettingsSection, type SectionSpec, type Settings } from '../settings';

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

/** A sync setting refused (the CLI's `--minutes` and `--size` say which flag from `field`). */
export class InvalidSyncSettingsError extends InvalidSettingError {}

export const SYNC_SETTINGS: SectionSpec<SyncSettings> = {
  key: 'sync',
  subject: 'sync settings',
  schema: syncSettingsSchema,
  defaults: DEFAULT_SYNC_SETTINGS,
  error: InvalidSyncSettingsError,
};

export type SyncSettingsSection = SettingsSection<SyncSettings>;

export const syncSettingsSection = (settings: Settings): SyncSettingsSection => new SettingsSection(settings, SYNC_SETTINGS);
