import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkConnection } from '../../electron/core/connection-check';
import { planImport, type ImportDefaults } from '../../electron/core/io/import-plan';
import { FileRefused } from '../../electron/core/io/text';

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

  it('of an import, its rows and a refused file have the one shape', () => {
    const defaults: ImportDefaults = { customerId: 1001, validFrom: null, expiresAt: null, isActive: true, roamingEnabled: false, priorityChargingEnabled: false, billingReference: null, comment: null };
    const text = 'uid,label,customerId,isActive,expiresAt\nzz,L1,1001,yes,2020-01-01T00:00:00Z\n04A224B2,L2,x,maybe,\n04A224B2,L3,1001,yes,\n';
    const plan = planImport(new TextEncoder().encode(text), { defaults });
    expect(plan.problems.length).toBeGreaterThan(2);
    for (const problem of plan.problems) expectOneShape(problem.detail);
    let refused: unknown;
    try {
      planImport(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0]), { defaults });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(FileRefused);
    expectOneShape((refused as FileRefused).detail);
  });
});
