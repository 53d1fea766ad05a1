/** The session's tokens as a file the desk can keep: CSV (spreadsheets) or JSON. */
import type { QueuedToken } from './types';

const COLUMNS = [
  'uid',
  'label',
  'customerId',
  'state',
  'spiriiId',
  'createdAt',
  'syncedAt',
  'validFrom',
  'expiresAt',
  'isActive',
  'roamingEnabled',
  'priorityChargingEnabled',
  'billingReference',
  'comment',
  'lastError',
] as const satisfies readonly (keyof QueuedToken)[];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote what needs it; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(tokens: readonly QueuedToken[]): string {
  const lines = [COLUMNS.join(','), ...tokens.map((token) => COLUMNS.map((column) => cell(token[column])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

export function toJson(tokens: readonly QueuedToken[]): string {
  return JSON.stringify(tokens.map((token) => Object.fromEntries(COLUMNS.map((column) => [column, token[column]]))), null, 2) + '\n';
}

/** Hand the browser a file to save. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
