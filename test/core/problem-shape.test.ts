import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkConnection } from '../../electron/core/connection-check';

// Every machine-readable detail the core sends next to its English has one shape, { key, params },
// so the window words each family the same way: a switch on `key`, the values in `params`.
function expectOneShape(detail: unknown): void {
  expect(detail).toBeTypeOf('object');
  expect(Object.keys(detail as object).sort()).toEqual(['key', 'params']);
  expect((detail as { params: unknown }).params).toBeTypeOf('object');
}

describe('problem details', () => {
  it('of the connection test have the one shape', async () => {
    // A port nothing listens on: the reach step fails, the others are not tried.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const check = await checkConnection({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k' }, { timeoutMs: 2000 });
    expect(check.steps.length).toBeGreaterThan(1);
    for (const step of check.steps) expectOneShape(step.reason);
  });
});
