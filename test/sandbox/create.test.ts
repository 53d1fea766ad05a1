import { describe, expect, it } from 'vitest';
import type { Page, SpiriiToken } from '../../electron/core/token';
import { call, manualClock, post, rfid, uids, useSandbox } from './support';

type ErrorBody = { message: string; code?: string };
type AuthErrorBody = { error: { type: string; code: string; message: string; request_id: string } };

const start = useSandbox();

describe('sandbox auth', () => {
  it.each([
    ['no Authorization header', null, 'missing_api_key'],
    ['a wrong key', 'Bearer not-the-key', 'invalid_api_key'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'invalid_authorization_header'],
  ])('answers 401 to %s, in the { error } shape', async (_name, authorization, code) => {
    const sandbox = await start();
    const response = await call<AuthErrorBody>(sandbox, '/v2/tokens', { authorization });
    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ type: 'authentication_error', code });
    expect(response.body.error.message).toEqual(expect.any(String));
    expect(response.body.error.request_id).toBe(response.headers.get('x-request-id'));
  });

  it('does not store a POST without a valid key', async () => {
    const sandbox = await start();
    const response = await call(sandbox, '/v2/tokens', { method: 'POST', body: rfid('04A1B2C3D4E5F6'), authorization: 'Bearer nope' });
    expect(response.status).toBe(401);
    expect(sandbox.tokens()).toEqual([]);
  });
});

describe('POST /v2/tokens', () => {
  it('creates one token from an object and answers with one token, defaults filled in', async () => {
    const clock = manualClock('2025-06-03T12:00:00.000Z');
    const sandbox = await start({ now: clock.now });
    const response = await post<SpiriiToken>(sandbox, rfid('04A1B2C3D4E5F6', { identifier: { type: 'rfid', uid: '04A1B2C3D4E5F6', label: 'DK.SPI.V03198' } }));
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: 10001,
      customerId: 1001,
      identifier: { type: 'rfid', uid: '04A1B2C3D4E5F6', label: 'DK.SPI.V03198', appUserId: null },
      createdAt: '2025-06-03T12:00:00.000Z',
      updatedAt: '2025-06-03T12:00:00.000Z',
      validFrom: '2025-06-03T12:00:00.000Z',
      expiresAt: null,
      isActive: true,
      roamingEnabled: true,
      priorityChargingEnabled: true,
      billingReference: null,
      comment: null,
    });
    expect(sandbox.tokens()).toEqual([response.body]);
    expect(sandbox.stats.tokensCreated).toBe(1);
  });

  it('creates a list and answers with a list in the same order, ids increasing', async () => {
    const sandbox = await start();
    const [a, b, c] = uids(3);
    const response = await post<SpiriiToken[]>(sandbox, [
      rfid(a, { billingReference: 'Bil 246', comment: 'x'.repeat(100) }),
      rfid(b, { isActive: false, roamingEnabled: false, priorityChargingEnabled: false, expiresAt: '2099-12-31T23:59:59.999Z' }),
      rfid(c, { validFrom: '2025-06-03T14:00:00+02:00', customerId: 1004 }),
    ]);
    expect(response.status).toBe(201);
    expect(response.body.map((token) => [token.id, token.identifier.uid])).toEqual([
      [10001, a],
      [10002, b],
      [10003, c],
    ]);
    expect(response.body[0]).toMatchObject({ billingReference: 'Bil 246', comment: 'x'.repeat(100) });
    expect(response.body[1]).toMatchObject({ isActive: false, roamingEnabled: false, priorityChargingEnabled: false, expiresAt: '2099-12-31T23:59:59.999Z' });
    // Dates come back canonical (UTC, milliseconds), whatever offset the client used.
    expect(response.body[2]).toMatchObject({ validFrom: '2025-06-03T12:00:00.000Z', customerId: 1004 });
  });

  it('answers a one-item list with a one-item list', async () => {
    const sandbox = await start();
    const response = await post<SpiriiToken[]>(sandbox, [rfid('04A1B2C3')]);
    expect(response.status).toBe(201);
    expect(Array.isArray(response.body)).toBe(true);
    expect(response.body).toHaveLength(1);
  });

  it('accepts 4-, 7- and 10-byte UIDs and virtual and vehicle tokens', async () => {
    const sandbox = await start();
    const response = await post<SpiriiToken[]>(sandbox, [
      rfid('04A1B2C3'),
      rfid('04A1B2C3D4E5F6'),
      rfid('A7E942F1C8D036B5A429'),
      { customerId: 1002, identifier: { type: 'virtual', appUserId: 12345 } },
      { customerId: 1002, identifier: { type: 'vehicleId', uid: 'WVWZZZ1JZXW000001' } },
    ]);
    expect(response.status).toBe(201);
    expect(response.body[3].identifier).toEqual({ type: 'virtual', label: null, appUserId: 12345 });
    expect(response.body[4].identifier.uid).toBe('WVWZZZ1JZXW000001');
  });

  it('accepts a list of 1000 tokens', async () => {
    const sandbox = await start();
    const response = await post<SpiriiToken[]>(sandbox, uids(1000).map((uid) => rfid(uid)));
    expect(response.status).toBe(201);
    expect(response.body).toHaveLength(1000);
  });

  const long = 'x'.repeat(101);
  const uid = '04A1B2C3D4E5F6';
  it.each<[string, unknown, string]>([
    ['customerId missing', { identifier: { type: 'rfid', uid } }, 'customerId'],
    ['customerId 0', { ...rfid(uid), customerId: 0 }, 'customerId'],
    ['customerId as a string', { ...rfid(uid), customerId: '1001' }, 'customerId'],
    ['customerId a fraction', { ...rfid(uid), customerId: 1001.5 }, 'customerId'],
    ['identifier missing', { customerId: 1001 }, 'identifier'],
    ['identifier not an object', { customerId: 1001, identifier: 'rfid' }, 'identifier'],
    ['an unknown identifier type', { customerId: 1001, identifier: { type: 'card', uid } }, 'identifier.type'],
    ['an rfid without uid', { customerId: 1001, identifier: { type: 'rfid' } }, 'identifier.uid'],
    ['a lower-case uid', rfid('04a1b2c3d4e5f6'), 'identifier.uid'],
    ['a uid with separators', rfid('04:A1:B2:C3:D4:E5:F6'), 'identifier.uid'],
    ['a uid with spaces', rfid('04 A1 B2 C3'), 'identifier.uid'],
    ['a 5-byte uid', rfid('04A1B2C3D4'), 'identifier.uid'],
    ['a non-hex uid', rfid('04A1B2G3'), 'identifier.uid'],
    ['a uid that is a number', { customerId: 1001, identifier: { type: 'rfid', uid: 4567 } }, 'identifier.uid'],
    ['a vehicle token without uid', { customerId: 1001, identifier: { type: 'vehicleId' } }, 'identifier.uid'],
    ['a label over 100 characters', { customerId: 1001, identifier: { type: 'rfid', uid, label: long } }, 'identifier.label'],
    ['appUserId 0', { customerId: 1001, identifier: { type: 'virtual', appUserId: 0 } }, 'identifier.appUserId'],
    ['an unknown identifier field', { customerId: 1001, identifier: { type: 'rfid', uid, colour: 'blue' } }, 'identifier.colour'],
    ['validFrom not a date', rfid(uid, { validFrom: 'tomorrow' }), 'validFrom'],
    ['validFrom without a zone', rfid(uid, { validFrom: '2025-06-03T12:00:00' }), 'validFrom'],
    ['validFrom on 30 February', rfid(uid, { validFrom: '2025-02-30T00:00:00Z' }), 'validFrom'],
    ['validFrom null', { ...rfid(uid), validFrom: null }, 'validFrom'],
    ['expiresAt in month 13', rfid(uid, { expiresAt: '2025-13-01T00:00:00Z' }), 'expiresAt'],
    ['expiresAt before validFrom', rfid(uid, { validFrom: '2025-06-03T12:00:00Z', expiresAt: '2025-06-01T00:00:00Z' }), 'expiresAt'],
    ['expiresAt equal to validFrom', rfid(uid, { validFrom: '2025-06-03T12:00:00Z', expiresAt: '2025-06-03T14:00:00+02:00' }), 'expiresAt'],
    ['isActive "yes"', { ...rfid(uid), isActive: 'yes' }, 'isActive'],
    ['roamingEnabled 1', { ...rfid(uid), roamingEnabled: 1 }, 'roamingEnabled'],
    ['priorityChargingEnabled null', { ...rfid(uid), priorityChargingEnabled: null }, 'priorityChargingEnabled'],
    ['billingReference over 100 characters', rfid(uid, { billingReference: long }), 'billingReference'],
    ['billingReference a number', { ...rfid(uid), billingReference: 246 }, 'billingReference'],
    ['comment over 100 characters', rfid(uid, { comment: long }), 'comment'],
    ['an unknown field', { ...rfid(uid), colour: 'blue' }, 'colour'],
    ['an id', { ...rfid(uid), id: 5 }, 'id'],
  ])('rejects %s with 400 naming %s', async (_name, body, field) => {
    const sandbox = await start();
    const single = await post<ErrorBody>(sandbox, body);
    expect(single.status).toBe(400);
    expect(single.body.message).toContain(`${field}: `);
    // In a list the same problem is named with the item's index.
    const listed = await post<ErrorBody>(sandbox, [rfid('04111111111111'), body]);
    expect(listed.status).toBe(400);
    expect(listed.body.message).toContain(`tokens[1].${field}: `);
    expect(sandbox.tokens()).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['a JSON string', '"hello"'],
    ['a number', 42],
    ['null', null],
    ['an empty list', []],
    ['a list of 1001', uids(1001).map((uid) => rfid(uid))],
  ])('rejects a body that is %s with 400 naming the body', async (_name, body) => {
    const sandbox = await start();
    const response = await post<ErrorBody>(sandbox, body);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^body: /);
    expect(sandbox.tokens()).toEqual([]);
  });

  it('rejects a whole list for one bad item, names only that item, and stores nothing', async () => {
    const sandbox = await start();
    const [a, b, c, d] = uids(4);
    const response = await post<ErrorBody>(sandbox, [rfid(a), rfid(b), rfid(c), rfid(d.toLowerCase())]);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^tokens\[3\]\.identifier\.uid: must be upper-case hex of 4, 7 or 10 bytes/);
    expect(response.body.message).not.toContain('tokens[0]');
    expect(sandbox.tokens()).toEqual([]);
    const listing = await call<Page<SpiriiToken>>(sandbox, '/v2/tokens');
    expect(listing.body.count).toBe(0);
  });

  it('names every bad item of a list, not just the first', async () => {
    const sandbox = await start();
    const response = await post<ErrorBody>(sandbox, [rfid('bad'), rfid('04A1B2C3'), { ...rfid('04A1B2C4'), customerId: -1 }]);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('tokens[0].identifier.uid');
    expect(response.body.message).toContain('tokens[2].customerId');
    expect(response.body.message).not.toContain('tokens[1]');
  });

  it('answers 404 naming customerId for an unknown customer, and stores nothing of the list', async () => {
    const sandbox = await start();
    const single = await post<ErrorBody>(sandbox, rfid('04A1B2C3', { customerId: 999 }));
    expect(single.status).toBe(404);
    expect(single.body.message).toContain('customerId: customer 999 not found');
    const listed = await post<ErrorBody>(sandbox, [rfid('04A1B2C4'), rfid('04A1B2C3', { customerId: 999 })]);
    expect(listed.status).toBe(404);
    expect(listed.body.message).toContain('tokens[1].customerId');
    expect(sandbox.tokens()).toEqual([]);
  });

  it('uses the given customers instead of the demo ones', async () => {
    const sandbox = await start({ customers: [{ id: 7, name: 'Only Customer', externalId: null }] });
    expect((await post(sandbox, rfid('04A1B2C3', { customerId: 7 }))).status).toBe(201);
    expect((await post(sandbox, rfid('04A1B2C4', { customerId: 1001 }))).status).toBe(404);
  });
});

describe('duplicate UIDs', () => {
  it('answers 409 { code: duplicate } for a UID already stored, naming it, and stores nothing of the list', async () => {
    const sandbox = await start();
    const [a, b] = uids(2);
    expect((await post(sandbox, rfid(a))).status).toBe(201);
    const response = await post<ErrorBody>(sandbox, [rfid(b), rfid(a)]);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('duplicate');
    expect(response.body.message).toContain(`tokens[1].identifier.uid: a token with UID ${a} already exists (id 10001)`);
    expect(sandbox.tokens().map((token) => token.identifier.uid)).toEqual([a]);
  });

  it('answers 409 for the same UID twice within one list', async () => {
    const sandbox = await start();
    const [a, b] = uids(2);
    const response = await post<ErrorBody>(sandbox, [rfid(a), rfid(b), rfid(a)]);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'duplicate' });
    expect(response.body.message).toContain('tokens[2].identifier.uid');
    expect(response.body.message).toContain('tokens[0]');
    expect(sandbox.tokens()).toEqual([]);
  });

  it("stores a double send in 'accept' mode, so a soak test can see it", async () => {
    const sandbox = await start({ duplicateUids: 'accept' });
    const [a] = uids(1);
    expect((await post(sandbox, rfid(a))).status).toBe(201);
    expect((await post(sandbox, [rfid(a), rfid(a)])).status).toBe(201);
    const found = await call<Page<SpiriiToken>>(sandbox, `/v2/tokens?search=${a}`);
    expect(found.body.count).toBe(3);
  });

  it('does not treat vehicle tokens or virtual tokens as duplicate cards', async () => {
    const sandbox = await start();
    const vehicle = { customerId: 1001, identifier: { type: 'vehicleId', uid: 'WVWZZZ1JZXW000001' } };
    expect((await post(sandbox, [vehicle, vehicle])).status).toBe(201);
  });
});

describe('sandbox HTTP', () => {
  it('answers malformed JSON with 400', async () => {
    const sandbox = await start();
    const response = await call<ErrorBody>(sandbox, '/v2/tokens', { method: 'POST', body: '{"customerId": 1001,' });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('malformed JSON');
  });

  it('answers an empty body with 400', async () => {
    const sandbox = await start();
    const response = await call<ErrorBody>(sandbox, '/v2/tokens', { method: 'POST', body: '' });
    expect(response.status).toBe(400);
  });

  it('answers a non-JSON content type with 415', async () => {
    const sandbox = await start();
    const response = await call<ErrorBody>(sandbox, '/v2/tokens', { method: 'POST', body: 'customerId=1001', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
  });

  it('answers a body over 10 MB with 413', async () => {
    const sandbox = await start();
    const response = await call<ErrorBody>(sandbox, '/v2/tokens', { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(sandbox.tokens()).toEqual([]);
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    const sandbox = await start();
    const unknown = await call<ErrorBody>(sandbox, '/v2/cards');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toEqual(expect.any(String));
    expect((await call(sandbox, '/v1/tokens')).status).toBe(404);
    const wrong = await call<ErrorBody>(sandbox, '/v2/tokens/10001', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PATCH');
    expect((await call(sandbox, '/v2/customers', { method: 'POST', body: {} })).status).toBe(405);
  });

  it('keeps connections alive and counts requests', async () => {
    const sandbox = await start();
    const first = await call(sandbox, '/v2/tokens');
    expect(first.headers.get('connection')).toBe('keep-alive');
    await post(sandbox, rfid('04A1B2C3'));
    expect(sandbox.stats).toMatchObject({ requests: 2, readRequests: 1, writeRequests: 1, tokensCreated: 1 });
  });

  it('refuses to listen on anything but loopback', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('gives a usable url without a trailing slash', async () => {
    const sandbox = await start();
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
  });
});
