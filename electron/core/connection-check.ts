/**
 * "Test connection": each step on its own, so the desk (and IT) can see how far it got: the host
 * answers on its port, TLS is valid, the key is accepted, and tokens can be listed.
 */
import net from 'node:net';
import tls from 'node:tls';
import { SpiriiClient, type ApiConnection } from './api/client';
import { ApiError } from './api/errors';

export type CheckStep = 'reach' | 'tls' | 'key' | 'tokens';

export interface CheckResult {
  step: CheckStep;
  /** null: not run (a step before it failed, or it does not apply). */
  ok: boolean | null;
  detail: string;
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
    socket.once('connect', () => done({ step: 'reach', ok: true, detail: `${host} answers on port ${port}` }));
    socket.once('timeout', () => done({ step: 'reach', ok: false, detail: `${host}:${port} did not answer in ${timeoutMs / 1000} s` }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ step: 'reach', ok: false, detail: error.code === 'ENOTFOUND' ? `${host} is not a known host name (DNS)` : `Cannot reach ${host}:${port} (${error.code ?? error.message})` }),
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
        done({ step: 'tls', ok: false, detail: `The certificate is not valid for ${host}: ${String(socket.authorizationError)}` });
        return;
      }
      const expires = cert.valid_to ? `, valid until ${new Date(cert.valid_to).toISOString().slice(0, 10)}` : '';
      done({ step: 'tls', ok: true, detail: `${version}, certificate for ${cert.subject?.CN ?? host} from ${cert.issuer?.O ?? cert.issuer?.CN ?? 'an unknown issuer'}${expires}` });
    });
    socket.once('timeout', () => done({ step: 'tls', ok: false, detail: `No TLS handshake with ${host} in ${timeoutMs / 1000} s` }));
    socket.once('error', (error) => done({ step: 'tls', ok: false, detail: `TLS failed: ${error.message}` }));
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
  const skip = (...names: CheckStep[]) => names.forEach((step) => steps.push({ step, ok: null, detail: 'Not tried: an earlier step failed' }));
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
    steps.push({ step: 'tls', ok: null, detail: 'Plain http to a server on this computer: no TLS' });
  }

  const client = new SpiriiClient(api, { timeoutMs, userAgent: options.userAgent });
  try {
    await client.searchCustomers('', { limit: 1 });
    steps.push({ step: 'key', ok: true, detail: 'The API key was accepted' });
  } catch (error) {
    const refused = error instanceof ApiError && (error.status === 401 || error.status === 403);
    steps.push({ step: 'key', ok: false, detail: refused ? `The API key was refused (${failure(error)})` : `The API did not answer as expected (${failure(error)})` });
    skip('tokens');
    return finish();
  }
  try {
    const page = await client.listTokens({ limit: 1 });
    steps.push({ step: 'tokens', ok: true, detail: `Tokens can be listed (${page.count} in total)` });
  } catch (error) {
    steps.push({ step: 'tokens', ok: false, detail: `Tokens cannot be listed (${failure(error)})` });
  }
  return finish();
}
