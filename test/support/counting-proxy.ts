/**
 * An HTTP proxy in front of a sandbox that records every request's method and path, so a test can
 * tell how many times each token was PATCHed (the sandbox itself counts only totals).
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  readonly url: string;
  /** Every request passed on, in order. */
  readonly requests: { method: string; path: string; status: number | null }[];
  /** How many PATCH /v2/tokens/{id} each token got (answered with a 2xx). */
  patchesPerToken(): Map<number, number>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const requests: CountingProxy['requests'] = [];
  const server = createServer((incoming, outgoing) => {
    const entry = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', status: null as number | null };
    requests.push(entry);
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        entry.status = answer.statusCode ?? null;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    patchesPerToken() {
      const counts = new Map<number, number>();
      for (const r of requests) {
        const match = r.method === 'PATCH' && r.status !== null && r.status < 300 ? /^\/v2\/tokens\/(\d+)/.exec(r.path) : null;
        if (match) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
      }
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
