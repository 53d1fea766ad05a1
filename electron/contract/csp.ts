/**
 * The renderer's Content-Security-Policy: its own scripts and styles only, no eval, no plugins,
 * no frames, no form posts. The Electron shell sends it on every app:// response; the browser
 * tests serve the renderer with the same policy (plus their bridge's socket in connect-src).
 */
export function contentSecurityPolicy(options: { connectSrc?: readonly string[] } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self' data:",
    `connect-src 'self'${options.connectSrc?.length ? ' ' + options.connectSrc.join(' ') : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
