/**
 * The renderer tests' transport: the same contract as the Electron preload, served over a
 * WebSocket to a page in a real browser, so the renderer runs against the real core.
 *
 *   GET /...           the built renderer (dist/renderer), with the app's Content-Security-Policy
 *   WS  /bridge        page -> core { id, name, input }, core -> page { id, envelope } | { event, payload }
 *
 * Loopback only, and the socket accepts only pages served by this same server (Origin check).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { contentSecurityPolicy } from '../../electron/contract/csp';
import { createDispatch } from '../../electron/contract/dispatch';
import { createHandlers, forwardEvents, type HostInfo } from '../../electron/contract/handlers';
import type { Station } from '../../electron/core/station';

export const RENDERER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/renderer');

const BRIDGE_PATH = '/bridge';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface Bridge {
  /** The page to open: the renderer, told where the bridge is (`?bridge=ws://127.0.0.1:PORT/bridge`). */
  readonly url: string;
  /** The calls that failed in a handler (not validation refusals), for tests to inspect. */
  readonly failures: { name: string; error: unknown }[];
  /** Closes the sockets and the server; the station stays open (its owner closes it). */
  close(): Promise<void>;
}

export interface BridgeOptions {
  /** Hold the answer to these calls back this long (ms): a save still on its way when the test looks. */
  answerDelayMs?: Partial<Record<string, number>>;
}

export async function startBridge(station: Station, app: HostInfo, options: BridgeOptions = {}): Promise<Bridge> {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`The renderer is not built: ${RENDERER_DIR}/index.html is missing. Run \`npx vite build\` first.`);
  }
  const failures: { name: string; error: unknown }[] = [];
  const dispatch = createDispatch(createHandlers(station, app), (name, error) => failures.push({ name, error }));

  let csp = '';
  let origin = '';
  const server = createServer((request, response) => {
    serveStatic(request, response, csp).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const sockets = new WebSocketServer({
    server,
    path: BRIDGE_PATH,
    maxPayload: 1024 * 1024,
    verifyClient: ({ origin: from }: { origin: string }) => from === origin,
  });

  sockets.on('connection', (socket) => {
    const send = (message: unknown) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };
    const stopEvents = forwardEvents(station, (event, payload) => send({ event, payload }));
    socket.on('close', stopEvents);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof message !== 'object' || message === null || !('id' in message) || typeof message.id !== 'number') return;
      const { id } = message;
      const name = 'name' in message ? message.name : undefined;
      const input = 'input' in message ? message.input : undefined;
      const delayMs = typeof name === 'string' ? (options.answerDelayMs?.[name] ?? 0) : 0;
      void dispatch(name, input)
        .then((envelope) => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs, envelope)) : envelope))
        .then((envelope) => send({ id, envelope }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  const socketOrigin = `ws://127.0.0.1:${port}`;
  csp = contentSecurityPolicy({ connectSrc: [socketOrigin] });

  return {
    url: `${origin}/index.html?bridge=${encodeURIComponent(socketOrigin + BRIDGE_PATH)}`,
    failures,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveStatic(request: IncomingMessage, response: ServerResponse, csp: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  let file: string;
  try {
    file = path.resolve(RENDERER_DIR, '.' + decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
  } catch {
    response.writeHead(400).end();
    return;
  }
  if (!file.startsWith(RENDERER_DIR + path.sep)) {
    response.writeHead(404).end();
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
