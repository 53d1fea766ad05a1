// A kept-alive connection the server has just closed: the client's next request goes out on it and
// meets a reset before any answer. Seen when the app idled a few seconds (a LibreOffice read-back,
// a clerk at the counter) on a loaded machine: the first lookup after it failed "ECONNRESET", so a
// customer's name was left out of an export. A read is asked again on a fresh connection; a write
// is not (it may have reached Spirii: the sync's in-doubt rules decide).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SpiriiClient } from '../../electron/core/api/client';
import { NetworkError } from '../../electron/core/api/errors';

const sockets: net.Socket[] = [];
let server: net.Server | null = null;

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/**
 * An HTTP/1.1 server by hand: every connection answers its first request (kept alive) and resets
 * on its second, as a server whose keep-alive timeout fired just as the request arrived.
 */
async function resettingServer(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  server = net.createServer((socket) => {
    sockets.push(socket);
    let answered = 0;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      while (buffer.includes('\r\n\r\n')) {
        const end = buffer.indexOf('\r\n\r\n') + 4;
        const head = buffer.slice(0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + length) return;
        buffer = buffer.slice(end + length);
        requests.push(head.split('\r\n')[0]!);
        if (answered++ > 0) {
          socket.resetAndDestroy();
          return;
        }
        const body = JSON.stringify({ data: [], count: 0 });
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as net.AddressInfo).port}`, requests };
}

const idle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('a request on a kept-alive connection that the server has closed', () => {
  it('is asked again on a fresh connection when it is a read', async () => {
    const { url, requests } = await resettingServer();
    const client = new SpiriiClient({ baseUrl: url, apiKey: 'k' });
    await client.searchCustomers('', { limit: 1 });
    await idle(); // the connection goes back to the pool, to be reused
    await expect(client.searchCustomers('', { limit: 1 })).resolves.toMatchObject({ count: 0 });
    expect(requests).toHaveLength(3); // the first, the one that met the reset, and its second asking
  });

  it('is not sent again when it is a write: it may have reached Spirii', async () => {
    const { url, requests } = await resettingServer();
    const client = new SpiriiClient({ baseUrl: url, apiKey: 'k' });
    await client.searchCustomers('', { limit: 1 });
    await idle();
    const error = await client.createTokens([{ identifier: { uid: '04A1B2C3D4E5F6' }, customerId: 1001, isActive: true } as never]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).mayHaveReached).toBe(true);
    expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });
});
