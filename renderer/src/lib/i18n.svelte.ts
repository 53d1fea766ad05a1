/**
 * English and Danish. Each feature keeps its own messages next to its screen
 * (`defineMessages({ en: {...}, da: {...} })`), so the compiler checks that every English key has
 * its Danish twin. The locale is reactive state: a template that calls `t(...)` re-renders when the
 * operator switches language.
 */
export const LOCALES = ['en', 'da'] as const;
export type Locale = (typeof LOCALES)[number];

export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', da: 'Dansk' };

/** The OS's (browser's) language decides until the operator chooses. */
export function detectLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
    if (base === 'nb' || base === 'nn' || base === 'no') return 'da';
  }
  return 'en';
}

class I18n {
  locale = $state<Locale>(detectLocale());

  set(locale: Locale): void {
    this.locale = locale;
    if (typeof document !== 'undefined') document.documentElement.lang = locale;
  }
}

export const i18n = new I18n();

export type Params = Record<string, string | number>;

/** `{name}` placeholders filled from params; numbers formatted for the locale. */
export function interpolate(template: string, params: Params | undefined, locale: Locale): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    if (value === undefined) return whole;
    return typeof value === 'number' ? value.toLocaleString(locale === 'da' ? 'da-DK' : 'en-GB') : value;
  });
}

/**
 * A feature's messages. Returns `t(key, params?)`, reading the current locale so that a template
 * using it follows language changes.
 */
export function defineMessages<const En extends Record<string, string>>(messages: { en: En; da: { [K in keyof En]: string } }) {
  return (key: keyof En & string, params?: Params): string => {
    const locale = i18n.locale;
    return interpolate(messages[locale][key] ?? messages.en[key], params, locale);
  };
}
