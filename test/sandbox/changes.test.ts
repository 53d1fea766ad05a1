// What the sandbox gives the tests of queued changes: updatedAt moves forward on every change (even
// two in one millisecond), a token can be changed behind a client's back, and the changes applied
// are logged in order.
import { describe, expect, it } from 'vitest';
import type { SpiriiToken } from '../../electron/core/token';
import { call, manualClock, post, rfid, useSandbox } from './support';

const start = useSandbox();

describe('sandbox changes', () => {
  it('moves updatedAt forward on every PATCH and change behind the back, and logs each in order', async () => {
    const clock = manualClock();
    const sandbox = await start({ now: clock.now });
    const created = await post<SpiriiToken[]>(sandbox, [rfid('04A1B2C3D4E5F6')]);
    const token = created.body[0]!;
    // The clock does not move: two changes in the same millisecond still get different updatedAt.
    const first = await call<SpiriiToken>(sandbox, `/v2/tokens/${token.id}`, { method: 'PATCH', body: { comment: 'one' } });
    expect(first.status).toBe(200);
    expect(Date.parse(first.body.updatedAt)).toBeGreaterThan(Date.parse(token.updatedAt));
    const behind = sandbox.changeToken(token.id, { isActive: false });
    expect(Date.parse(behind.updatedAt)).toBeGreaterThan(Date.parse(first.body.updatedAt));
    expect((await call<SpiriiToken>(sandbox, `/v2/tokens/${token.id}`)).body).toMatchObject({ comment: 'one', isActive: false, updatedAt: behind.updatedAt });
    expect(sandbox.changeLog()).toEqual([
      { tokenId: token.id, patch: { comment: 'one' }, updatedAt: first.body.updatedAt, by: 'api' },
      { tokenId: token.id, patch: { isActive: false }, updatedAt: behind.updatedAt, by: 'behind' },
    ]);
    expect(() => sandbox.changeToken(99_999, { isActive: false })).toThrow(/no token 99999/);
  });

  it('logs nothing for a PATCH it refused', async () => {
    const sandbox = await start();
    const token = (await post<SpiriiToken[]>(sandbox, [rfid('04A1B2C3D4E5F7')])).body[0]!;
    expect((await call(sandbox, `/v2/tokens/${token.id}`, { method: 'PATCH', body: { customerId: 999_999 } })).status).toBe(404);
    expect(sandbox.changeLog()).toEqual([]);
  });
});
