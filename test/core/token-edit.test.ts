// An edit of a queued token is checked in plain code (core/token-edit.ts, so the CLI's queue loads
// no zod), the session's defaults by a zod schema (core/token-schema.ts): the same settings, so the
// two must take and refuse the same values, and trim texts alike. This pins them together.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkTokenEdit } from '../../electron/core/token-edit';
import { tokenSettingsShape } from '../../electron/core/token-schema';

const settings = z.object(tokenSettingsShape).partial().strict();

const VALUES: unknown[] = [
  null, undefined, '', '  x  ', 'x'.repeat(100), ` ${'x'.repeat(100)} `, 'x'.repeat(101), 'a\nb', 'a\tb', 'a\u202eb', 'a\u0085b', 'Ærø',
  0, 1, -1, 1.5, NaN, Infinity, true, false, 'true', [], {},
  '2026-01-31T00:00:00Z', '2026-01-31T00:00Z', '2026-01-31T00:00:00.123+01:00', '2026-02-29T00:00:00Z', '2028-02-29T00:00:00Z',
  '2026-01-31', '2026-01-31T24:00:00Z', '2026-01-31T00:00:00+0100', '2026-01-31T00:00:00-23:59', '2026-01-31t00:00:00z', '2026-13-01T00:00:00Z',
];

describe('the edit check and the defaults schema', () => {
  it('take and refuse the same values for every setting, and give the same result', () => {
    for (const field of [...Object.keys(tokenSettingsShape), 'unknownField']) {
      for (const value of VALUES) {
        const patch = { [field]: value };
        const schema = settings.safeParse(patch);
        const plain = checkTokenEdit(patch);
        expect(plain.ok, `${field}: ${JSON.stringify(value)}`).toBe(schema.success);
        if (plain.ok && schema.success) expect(plain.edit).toEqual(schema.data);
        if (!plain.ok && !schema.success) expect(plain.issue.code === 'too_big', `${field}: ${JSON.stringify(value)}`).toBe(schema.error.issues[0]!.code === 'too_big');
      }
    }
  });
});
