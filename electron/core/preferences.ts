/**
 * The operator's preferences: their name (recorded with what they enroll), sound on or off, and
 * the window's language (null: follow the OS). Kept in the settings table under 'preferences'.
 */
import { z } from 'zod';
import type { Settings } from './settings';
import { Listeners } from './events';

export const preferencesShape = z.object({
  operatorName: z.string().trim().max(80, 'at most 80 characters'),
  sound: z.boolean(),
  locale: z.enum(['en', 'da']).nullable(),
});

export type Preferences = z.infer<typeof preferencesShape>;

export const DEFAULT_PREFERENCES: Preferences = { operatorName: '', sound: true, locale: null };

const SETTINGS_KEY = 'preferences';

export class InvalidPreferencesError extends Error {}

export class PreferencesStore {
  private current: Preferences;
  private readonly listeners = new Listeners<Preferences>();

  constructor(private readonly settings: Settings) {
    const stored = preferencesShape.safeParse({ ...DEFAULT_PREFERENCES, ...settings.get<object>(SETTINGS_KEY, {}) });
    this.current = stored.success ? stored.data : { ...DEFAULT_PREFERENCES };
  }

  get(): Preferences {
    return { ...this.current };
  }

  onChange(listener: (preferences: Preferences) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Change some preferences; refused whole, with the field named, when any is invalid. */
  update(patch: Partial<Preferences>): Preferences {
    const result = preferencesShape.safeParse({ ...this.current, ...patch });
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new InvalidPreferencesError(`${issue.path.join('.') || 'preferences'}: ${issue.message}`);
    }
    this.current = result.data;
    this.settings.set(SETTINGS_KEY, this.current);
    this.listeners.emit(this.get());
    return this.get();
  }
}
