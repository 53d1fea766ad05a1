/**
 * Links that leave the app: opened in the OS browser, and only https links to an allow-listed
 * host (exact host names: no subdomain wildcard, no user info, no other port). Everything else
 * is refused and logged.
 */
import { shell } from 'electron';

export const EXTERNAL_HOSTS: readonly string[] = ['spirii.com', 'www.spirii.com', 'docs.spirii.com', 'support.spirii.com'];

export function isAllowedExternal(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && !parsed.username && !parsed.password && parsed.port === '' && EXTERNAL_HOSTS.includes(parsed.hostname);
}

/** Opens an allowed link in the OS browser; returns whether it did. */
export function openExternalSafely(url: string, onRefused?: (url: string) => void): boolean {
  if (!isAllowedExternal(url)) {
    onRefused?.(url);
    return false;
  }
  void shell.openExternal(url, { activate: true }).catch(() => onRefused?.(url));
  return true;
}
