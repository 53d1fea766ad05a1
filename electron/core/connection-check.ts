/**
 * "Test connection": each step on its own, so the desk (and IT) can see how far it got: the host
 * answers on its port, TLS is valid, the key is accepted, and tokens can be listed.
 */
import net from 'node:net';
import tls from 'node:tls';
import { SpiriiClient, type ApiConnection } from './api/client';
import { ApiError } from './api/errors';

export type CheckStep = 'reach' | 'tls' | 'key' | 'tokens';

/**
 * A step's outcome as data, for a window that words it in its own language (`detail` stays the
 * English for the CLI and the log). Host names, certificate names and error text are carried as
 * they came.
 */
export type CheckReason =
  | { key: 'reached'; params: { host: string; port: number } }
  | { key: 'reach-timeout'; params: { host: string; port: number; seconds: number } }
  | { key: 'unknown-host'; params: { host: string } }
  | { key: 'unreachable'; params: { host: string; port: number; error: string } }
  | { key: 'certificate-invalid'; params: { host: string; error: string } }
  | { key: 'tls-ok'; params: { version: string; subject: string; issuer: string | null; until: string | null } }
  | { key: 'tls-timeout'; params: { host: string; seconds: number } }
  | { key: 'tls-failed'; params: { error: string } }
  | { key: 'plain-http'; params: Record<string, never> }
  | { key: 'not-tried'; params: Record<string, never> }
  | { key: 'key-accepted'; params: Record<string, never> }
  | { key: 'key-refused'; params: { error: string } }
  | { key: 'unexpected-answer'; params: { error: string } }
  | { key: 'tokens-listed'; params: { count: number } }
  | { key: 'tokens-failed'; params: { error: string } };

export interface CheckResult {
  step: CheckStep;
  /** null: not run (a step before it failed, or it does not apply). */
  ok: boolean | null;
  detail: string;
  reason?: CheckReason;
}

export interface ConnectionCheck {
  url: string;
  ok: boolean;
  steps: CheckResult[];
}

const TIMEOUT_MS = 8_000;

function reach(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ step: 'reach', ok: true, detail: `${host} answers on port ${port}`, reason: { key: 'reached', params: { host, port } } }));
    socket.once('timeout', () =>
      done({ step: 'reach', ok: false, detail: `${host}:${port} did not answer in ${timeoutMs / 1000} s`, reason: { key: 'reach-timeout', params: { host, port, seconds: timeoutMs / 1000 } } }),
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'ENOTFOUND'
          ? { step: 'reach', ok: false, detail: `${host} is not a known host name (DNS)`, reason: { key: 'unknown-host', params: { host } } }
          : {
              step: 'reach',
              ok: false,
              detail: `Cannot reach ${host}:${port} (${error.code ?? error.message})`,
              reason: { key: 'unreachable', params: { host, port, error: error.code ?? error.message } },
            },
      ),
    );
  });
}

function checkTls(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, timeout: timeoutMs, rejectUnauthorized: false });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const version = socket.getProtocol() ?? 'TLS';
      if (!socket.authorized) {
        const reason = String(socket.authorizationError);
        done({ step: 'tls', ok: false, detail: `The certificate is not valid for ${host}: ${reason}`, reason: { key: 'certificate-invalid', params: { host, error: reason } } });
        return;
      }
      const until = cert.valid_to ? new Date(cert.valid_to).toISOString().slice(0, 10) : null;
      const subject = String(cert.subject?.CN ?? host);
      const issuerName = cert.issuer?.O ?? cert.issuer?.CN;
      const issuer = issuerName === undefined ? null : String(issuerName);
      done({
        step: 'tls',
        ok: true,
        detail: `${version}, certificate for ${subject} from ${issuer ?? 'an unknown issuer'}${until ? `, valid until ${until}` : ''}`,
        reason: { key: 'tls-ok', params: { version, subject, issuer, until } },
      });
    });
    socket.once('timeout', () =>
      done({ step: 'tls', ok: false, detail: `No TLS handshake with ${host} in ${timeoutMs / 1000} s`, reason: { key: 'tls-timeout', params: { host, seconds: timeoutMs / 1000 } } }),
    );
    socket.once('error', (error) => done({ step: 'tls', ok: false, detail: `TLS failed: ${error.message}`, reason: { key: 'tls-failed', params: { error: error.message } } }));
  });
}

function failure(error: unknown): string {
  if (error instanceof ApiError) return `${error.status}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Run the steps in order; a failed step leaves the ones after it not run. */
export async function checkConnection(api: ApiConnection, options: { timeoutMs?: number; userAgent?: string } = {}): Promise<ConnectionCheck> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const url = new URL(api.baseUrl);
  const https = url.protocol === 'https:';
  const port = Number(url.port) || (https ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const steps: CheckResult[] = [];
  const skip = (...names: CheckStep[]) => names.forEach((step) => steps.push({ step, ok: null, detail: 'Not tried: an earlier step failed', reason: { key: 'not-tried', params: {} } }));
  const finish = () => ({ url: api.baseUrl, ok: steps.every((s) => s.ok !== false) && steps.some((s) => s.step === 'tokens' && s.ok), steps });

  const reached = await reach(host, port, timeoutMs);
  steps.push(reached);
  if (!reached.ok) {
    skip('tls', 'key', 'tokens');
    return finish();
  }
  if (https) {
    const secure = await checkTls(host, port, timeoutMs);
    steps.push(secure);
    if (!secure.ok) {
      skip('key', 'tokens');
      return finish();
    }
  } else {
    steps.push({ step: 'tls', ok: null, detail: 'Plain http to a server on this computer: no TLS', reason: { key: 'plain-http', params: {} } });
  }

  const client = new SpiriiClient(api, { timeoutMs, userAgent: options.userAgent });
  try {
    await client.searchCustomers('', { limit: 1 });
    steps.push({ step: 'key', ok: true, detail: 'The API key was accepted', reason: { key: 'key-accepted', params: {} } });
  } catch (error) {
    const refused = error instanceof ApiError && (error.status === 401 || error.status === 403);
    const why = failure(error);
    steps.push(
      refused
        ? { step: 'key', ok: false, detail: `The API key was refused (${why})`, reason: { key: 'key-refused', params: { error: why } } }
        : { step: 'key', ok: false, detail: `The API did not answer as expected (${why})`, reason: { key: 'unexpected-answer', params: { error: why } } },
    );
    skip('tokens');
    return finish();
  }
  try {
    const page = await client.listTokens({ limit: 1 });
    steps.push({ step: 'tokens', ok: true, detail: `Tokens can be listed (${page.count} in total)`, reason: { key: 'tokens-listed', params: { count: page.count } } });
  } catch (error) {
    const why = failure(error);
    steps.push({ step: 'tokens', ok: false, detail: `Tokens cannot be listed (${why})`, reason: { key: 'tokens-failed', params: { error: why } } });
  }
  return finish();
}
