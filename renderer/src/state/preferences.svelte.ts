/** The operator's preferences (name, sound, language), kept by the core and followed live. */
import { describeError, station } from '../lib/station';
import { detectLocale, i18n } from '../lib/i18n.svelte';
import type { Preferences } from '../lib/types';

class PreferencesState {
  value = $state.raw<Preferences>({ operatorName: '', sound: true, locale: null });
  loaded = $state(false);
  /** The last refusal of a change, in words. */
  error = $state<string | null>(null);

  async start(): Promise<() => void> {
    const stop = station.on('preferences', (value) => this.apply(value));
    this.apply(await station.call('preferences.get', {}));
    this.loaded = true;
    return stop;
  }

  /** Save a change; false (with the reason in `error`) when the core refuses it. */
  async update(patch: Partial<Preferences>): Promise<boolean> {
    try {
      this.apply(await station.call('preferences.update', patch));
      this.error = null;
      return true;
    } catch (error) {
      this.error = describeError(error);
      return false;
    }
  }

  private apply(value: Preferences): void {
    this.value = value;
    i18n.set(value.locale ?? detectLocale());
  }
}

export const preferences = new PreferencesState();
