// The four settings groups (enrollment defaults, reader settings, sync settings, preferences)
// are one mechanism: a section with `value`, `update(patch)` and `onChange`, kept in the settings
// table, refusing a change whole with a typed error that names the section and the field.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/core/db/sqlite';
import { InvalidSettingError, Settings, SettingsSection } from '../../electron/core/settings';
import { enrollmentDefaultsSection, InvalidDefaultsError } from '../../electron/core/enrollment';
import { InvalidReaderSettingsError, readerSettingsSection } from '../../electron/core/readers/desk';
import { InvalidSyncSettingsError, syncSettingsSection } from '../../electron/core/sync/settings';
import { InvalidPreferencesError, preferencesSection } from '../../electron/core/preferences';
import { tempDir } from '../support/temp';

let cleanup: () => void;
let dir: string;
let db: Db;
let settings: Settings;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(dir);
  settings = new Settings(db);
});
afterEach(() => {
  db.close();
  cleanup();
});

function refusal(run: () => unknown): InvalidSettingError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidSettingError) return error;
    throw error;
  }
  throw new Error('the change was accepted');
}

describe('settings sections', () => {
  const sections = [
    { make: enrollmentDefaultsSection, key: 'enrollment.defaults', ok: { labelPrefix: 'DK-' }, bad: { labelDigits: 13 }, field: 'labelDigits', error: InvalidDefaultsError },
    { make: readerSettingsSection, key: 'readers', ok: { repeatWindowMs: 500 }, bad: { repeatWindowMs: -1 }, field: 'repeatWindowMs', error: InvalidReaderSettingsError },
    { make: syncSettingsSection, key: 'sync', ok: { holdMinutes: 15 }, bad: { holdMinutes: 24 * 60 + 1 }, field: 'holdMinutes', error: InvalidSyncSettingsError },
    { make: preferencesSection, key: 'preferences', ok: { sound: false }, bad: { operatorName: 'x'.repeat(81) }, field: 'operatorName', error: InvalidPreferencesError },
  ] as const;

  it.each(sections)('$key: one API, kept in the settings table, and told to listeners', ({ make, key, ok }) => {
    const section = make(settings) as SettingsSection<object>;
    const seen: object[] = [];
    section.onChange((value) => seen.push(value));
    const updated = section.update(ok);
    expect(updated).toMatchObject(ok);
    expect(section.value).toEqual(updated);
    expect(seen).toEqual([updated]);
    expect(settings.get(key, {})).toEqual(updated);
    expect((make(settings) as SettingsSection<object>).value).toEqual(updated);
  });

  it.each(sections)('$key: a refused change is a typed error naming the section and the field, and changes nothing', ({ make, key, bad, field, error }) => {
    const section = make(settings) as SettingsSection<object>;
    const before = section.value;
    const refused = refusal(() => section.update(bad));
    expect(refused).toBeInstanceOf(error);
    expect(refused).toMatchObject({ section: key, field });
    expect(refused.message).toBe(`${field}: ${refused.reason}`);
    expect(section.value).toEqual(before);
    expect(settings.get(key, null)).toBeNull();
  });

  it('a value read is a copy: changing it changes nothing', () => {
    const readers = readerSettingsSection(settings);
    readers.value.hidDevices.push('FFFF:0035');
    expect(readers.value.hidDevices).toEqual([]);
  });
});
