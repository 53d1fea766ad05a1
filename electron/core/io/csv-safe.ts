/**
 * CSV injection (OWASP, https://owasp.org/www-community/attacks/CSV_Injection): a spreadsheet
 * runs a cell that starts with = + - @ tab or CR as a formula. Exported text that starts with one
 * of them gets a leading apostrophe, which Excel and LibreOffice show as text. A text that already
 * starts with apostrophes before such a character gets one more, so that importing the export
 * (which removes exactly one) gives back the original text.
 */
const NEEDS_GUARD = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

export function neutralizeCell(text: string): string {
  return NEEDS_GUARD.test(text) ? `'${text}` : text;
}

/** The inverse, for text read back from a file Token Station (or a careful person) wrote. */
export function unneutralizeCell(text: string): string {
  return GUARDED.test(text) ? text.slice(1) : text;
}
