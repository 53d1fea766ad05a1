/**
 * The sandbox's HTTP plumbing: reading a JSON body within its size limit (413/415/400), writing an
 * outcome to the socket, and listening on a loopback address only.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { message, type Headers, type Outcome } from './outcome';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type Parsed = { ok: true; value: unknown } | { ok: false; outcome: Outcome };

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** Reads at most MAX_BODY_BYTES; past that it stops reading, and the answer closes the connection. */
function readRawBody(request: IncomingMessage): Promise<Buffer | 'tooLarge'> {
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return Promise.resolve('tooLarge');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        request.pause();
        resolve('tooLarge');
      } else {
        chunks.push(chunk);
      }
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export async function readJsonBody(request: IncomingMessage): Promise<{ ok: true; raw: Buffer } | { ok: false; outcome: Outcome }> {
  if (!isJsonType(request.headers['content-type'])) {
    return { ok: false, outcome: message(415, `Content-Type must be application/json (got ${request.headers['content-type']})`) };
  }
  const raw = await readRawBody(request);
  if (raw === 'tooLarge') {
    // Connection: close makes Node destroy the socket once the answer is out, so the rest is never read.
    return { ok: false, outcome: message(413, `Body too large: at most ${MAX_BODY_BYTES} bytes`, { Connection: 'close' }) };
  }
  return { ok: true, raw };
}

export function parseJson(raw: Buffer): Parsed {
  const text = raw.toString('utf8');
  if (text.trim() === '') return { ok: false, outcome: message(400, 'body: a JSON body is required') };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, outcome: message(400, `body: malformed JSON (${(error as Error).message})`) };
  }
}

export function send(response: ServerResponse, outcome: Outcome, headers: Headers): void {
  if (response.destroyed || response.headersSent) return;
  if (outcome.kind === 'drop') {
    response.socket?.destroy();
    return;
  }
  const html = outcome.html;
  const payload = html ?? JSON.stringify(outcome.body);
  response.writeHead(outcome.status, {
    'Content-Type': html === undefined ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    'Cache-Control': 'no-store',
    ...headers,
    ...outcome.headers,
  });
  response.end(payload);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
