/**
 * Each token's dates, formatted once (Intl formatting is the dearest part of a row) and kept
 * with the token object: a patched token is a new object, a new language a new map.
 */
import { formatDateTime, intlLocale } from '../../lib/format';
import type { SpiriiToken } from '../../lib/types';

export interface RowText {
  validFrom: string;
  expires: string | null;
  updated: string;
}

let rowTexts = new WeakMap<SpiriiToken, RowText>();
let rowTextsLocale = '';

export function rowText(token: SpiriiToken): RowText {
  const locale = intlLocale();
  if (locale !== rowTextsLocale) {
    rowTexts = new WeakMap();
    rowTextsLocale = locale;
  }
  let text = rowTexts.get(token);
  if (!text) {
    text = {
      validFrom: formatDateTime(token.validFrom),
      expires: token.expiresAt ? formatDateTime(token.expiresAt) : null,
      updated: formatDateTime(token.updatedAt),
    };
    rowTexts.set(token, text);
  }
  return text;
}
