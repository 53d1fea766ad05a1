/**
 * The operator's preferences: their name (recorded with what they enroll), sound on or off, and
 * the window's language (null: follow the OS). Kept in the settings table under 'preferences'.
 */
import { z } from 'zod';
import { InvalidSettingError, SettingsSection, type SectionSpec, type Settings } from './settings';

export const preferencesShape = z.object({
  operatorName: z.string().trim().max(80, 'at most 80 characters'),
  sound: z.boolean(),
  locale: z.enum(['en', 'da']).nullable(),
});

export type Preferences = z.infer<typeof preferencesShape>;

export const DEFAULT_PREFERENCES: Preferences = { operatorName: '', sound: true, locale: null };

export class InvalidPreferencesError extends InvalidSettingError {}

export const PREFERENCES: SectionSpec<Preferences> = {
  key: 'preferences',
  subject: 'preferences',
  schema: preferencesShape,
  defaults: DEFAULT_PREFERENCES,
  error: InvalidPreferencesError,
};

export type PreferencesSection = SettingsSection<Preferences>;

export const preferencesSection = (settings: Settings): PreferencesSection => new SettingsSection(settings, PREFERENCES);
