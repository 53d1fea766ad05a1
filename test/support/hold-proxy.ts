/**
 * A loopback HTTP proxy in front of the sandbox that can hold one request where a crash is to
 * happen: before it reaches Spirii (the request is never forwarded) or after (Spirii applied it,
 * and the answer is never given back). The test kills the process that sent it at that moment, so
 * a SIGKILL lands exactly between two steps instead of somewhere at random.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Hold {
  method: string;
  path: RegExp;
  when: 'before' | 'after';
}

export interface HoldProxy {
  readonly url: string;
  /** Every request forwarded, as "METHOD /path". */
  readonly forwarded: string[];
  /** Hold the next matching request; resolves once it is held. */
  holdNext(hold: Hold): Promise<void>;
  close(): Promise<void>;
}

export async function startHoldProxy(target: string): Promise<HoldProxy> {
  const upstream = new URL(target);
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  let pending: { hold: Hold; held: () => void } | null = null;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const hold = pending && pending.hold.method === req.method && pending.hold.path.test(path.split('?')[0]!) ? pending : null;
      if (hold) pending = null;
      if (hold?.hold.when === 'before') return hold.held(); // never forwarded, never answered
      forwarded.push(`${req.method} ${path}`);
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            if (hold) return hold.held(); // applied in Spirii, the answer never given back
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    holdNext: (hold) => new Promise<void>((resolve) => (pending = { hold, held: resolve })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
