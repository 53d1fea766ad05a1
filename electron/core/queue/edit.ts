/** What the desk may change in a token that exists only here, and how a refused field is told to the window. */
import type { ActionProblem } from '../problem-detail';

/** The check itself is plain code in ../token-edit.ts (no zod: every CLI command that reads the queue loads this). */
export { checkTokenEdit, type TokenEdit } from '../token-edit';

/** A refused field of an edit, as the window words it: which field, and a length limit or the expiry rule. */
export function invalidField(issue: { path: PropertyKey[]; code: string; maximum?: unknown }, afterValidFrom = false): ActionProblem {
  const max = issue.code === 'too_big' && typeof issue.maximum === 'number' ? issue.maximum : null;
  return { key: 'invalid-field', params: { field: issue.path.map(String).join('.'), max, afterValidFrom } };
}
