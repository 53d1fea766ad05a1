/** What the desk may change in a token that exists only here, and how a refused field is told to the window. */
import { z } from 'zod';
import { CONTROL_CHARACTERS_MESSAGE, TEXT_FIELD_MAX, hasControlCharacters } from '../token';
import type { ActionProblem } from '../problem';

/** What the desk may change while a token exists only here. */
const noControls = (text: string) => !hasControlCharacters(text);
const optionalText = z.string().trim().max(TEXT_FIELD_MAX, `at most ${TEXT_FIELD_MAX} characters`).refine(noControls, CONTROL_CHARACTERS_MESSAGE).nullable();
const dateTime = z.iso.datetime({ offset: true, message: 'an ISO date-time such as 2026-01-31T00:00:00Z' }).nullable();
export const tokenEditSchema = z
  .object({
    label: z.string().trim().max(100, 'at most 100 characters').refine(noControls, CONTROL_CHARACTERS_MESSAGE).nullable(),
    customerId: z.number().int().min(1),
    validFrom: dateTime,
    expiresAt: dateTime,
    isActive: z.boolean(),
    roamingEnabled: z.boolean(),
    priorityChargingEnabled: z.boolean(),
    billingReference: optionalText,
    comment: optionalText,
  })
  .partial()
  .strict();
export type TokenEdit = z.infer<typeof tokenEditSchema>;

/** A refused field of an edit, as the window words it: which field, and a length limit or the expiry rule. */
export function invalidField(issue: { path: PropertyKey[]; code: string; maximum?: unknown }, afterValidFrom = false): ActionProblem {
  const max = issue.code === 'too_big' && typeof issue.maximum === 'number' ? issue.maximum : null;
  return { key: 'invalid-field', params: { field: issue.path.map(String).join('.'), max, afterValidFrom } };
}
