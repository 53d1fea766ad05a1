/**
 * The token's settings as the desk enters them in the session's defaults. An edit of a queued
 * token checks the same settings in plain code (token-edit.ts, so the CLI's queue loads no zod);
 * test/core/token-edit.test.ts holds the two to the same dates, lengths and control characters.
 */
import { z } from 'zod';
import { CONTROL_CHARACTERS_MESSAGE, TEXT_FIELD_MAX, hasControlCharacters } from './token';

export const noControls = (text: string) => !hasControlCharacters(text);
const optionalText = z.string().trim().max(TEXT_FIELD_MAX, `at most ${TEXT_FIELD_MAX} characters`).refine(noControls, CONTROL_CHARACTERS_MESSAGE).nullable();
const dateTime = z.iso.datetime({ offset: true, message: 'an ISO date-time such as 2026-01-31T00:00:00Z' }).nullable();

/** The fields of TOKEN_SETTING_FIELDS, to spread into an object schema. */
export const tokenSettingsShape = {
  validFrom: dateTime,
  expiresAt: dateTime,
  isActive: z.boolean(),
  roamingEnabled: z.boolean(),
  priorityChargingEnabled: z.boolean(),
  billingReference: optionalText,
  comment: optionalText,
};
