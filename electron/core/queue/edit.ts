/** What the desk may change in a token that exists only here, and how a refused field is told to the window. */
import { z } from 'zod';
import { CONTROL_CHARACTERS_MESSAGE } from '../token';
import { noControls, tokenSettingsShape } from '../token-schema';
import type { ActionProblem } from '../problem-detail';

/** What the desk may change while a token exists only here. */
export const tokenEditSchema = z
  .object({
    label: z.string().trim().max(100, 'at most 100 characters').refine(noControls, CONTROL_CHARACTERS_MESSAGE).nullable(),
    customerId: z.number().int().min(1),
    ...tokenSettingsShape,
  })
  .partial()
  .strict();
export type TokenEdit = z.infer<typeof tokenEditSchema>;

/** A refused field of an edit, as the window words it: which field, and a length limit or the expiry rule. */
export function invalidField(issue: { path: PropertyKey[]; code: string; maximum?: unknown }, afterValidFrom = false): ActionProblem {
  const max = issue.code === 'too_big' && typeof issue.maximum === 'number' ? issue.maximum : null;
  return { key: 'invalid-field', params: { field: issue.path.map(String).join('.'), max, afterValidFrom } };
}
