import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../electron/sandbox/server';
import { DEMO_CUSTOMERS } from '../../electron/sandbox/server';
import type { CustomerPage, Page, SpiriiToken, TokenCreate, TokenSortField } from '../../electron/core/token';
import { call, manualClock, post, rfid, useSandbox } from './support';

type ErrorBody = { message: string };

const start = useSandbox();

async function ids(sandbox: Sandbox, query: string): Promise<number[]> {
  const response = await call<Page<SpiriiToken>>(sandbox, `/v2/tokens${query}`);
  expect(response.status).toBe(200);
  return response.body.data.map((token) => token.id);
}

/**
 * Four tokens whose every sortable field orders them differently, with a tie (C and D share
 * validFrom) and a missing expiresAt (B):
 *   id/createdAt  A B C D
 *   updatedAt     B D C A   (C and A are patched later, in that order)
 *   validFrom     B C=D A
 *   expiresAt     C A D, B null
 */
async function sortFixture(): Promise<Sandbox> {
  const clock = manualClock('2025-01-01T00:00:00.000Z');
  const sandbox = await start({ now: clock.now });
  const tokens: TokenCreate[] = [
    rfid('0A000001', { validFrom: '2025-03-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' }),
    rfid('0B000002', { validFrom: '2025-01-15T00:00:00Z', expiresAt: null }),
    rfid('0C000003', { validFrom: '2025-02-01T00:00:00Z', expiresAt: '2025-12-01T00:00:00Z' }),
    rfid('0D000004', { validFrom: '2025-02-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' }),
  ];
  for (const token of tokens) {
    expect((await post(sandbox, token)).status).toBe(201);
    clock.advance(60_000);
  }
  for (const id of [10003, 10001]) {
    expect((await call(sandbox, `/v2/tokens/${id}`, { method: 'PATCH', body: { comment: 'touched' } })).status).toBe(200);
    clock.advance(60_000);
  }
  return sandbox;
}

const [A, B, C, D] = [10001, 10002, 10003, 10004];

describe('GET /v2/tokens sorting and paging', () => {
  it.each<[TokenSortField, number[], number[]]>([
    ['id', [A, B, C, D], [D, C, B, A]],
    ['createdAt', [A, B, C, D], [D, C, B, A]],
    ['updatedAt', [B, D, C, A], [A, C, D, B]],
    ['validFrom', [B, C, D, A], [A, D, C, B]],
    ['expiresAt', [C, A, D, B], [D, A, C, B]],
  ])('sorts by %s in both directions (ties by id, null expiresAt last)', async (field, asc, desc) => {
    const sandbox = await sortFixture();
    expect(await ids(sandbox, `?sortBy=${field}&sortDirection=asc`)).toEqual(asc);
    expect(await ids(sandbox, `?sortBy=${field}&sortDirection=desc`)).toEqual(desc);
    expect(await ids(sandbox, `?sortBy=${field}`)).toEqual(desc);
  });

  it('defaults to id descending', async () => {
    const sandbox = await sortFixture();
    expect(await ids(sandbox, '')).toEqual([D, C, B, A]);
  });

  it('pages with offset and limit, and counts everything that matches', async () => {
    const sandbox = await sortFixture();
    const page = await call<Page<SpiriiToken>>(sandbox, '/v2/tokens?sortDirection=asc&offset=1&limit=2');
    expect(page.body.count).toBe(4);
    expect(page.body.data.map((token) => token.id)).toEqual([B, C]);
    const past = await call<Page<SpiriiToken>>(sandbox, '/v2/tokens?offset=10');
    expect(past.body).toEqual({ data: [], count: 4 });
    const filtered = await call<Page<SpiriiToken>>(sandbox, '/v2/tokens?expiresFrom=2025-01-01T00:00:00Z&limit=1');
    expect(filtered.body.count).toBe(3);
    expect(filtered.body.data).toHaveLength(1);
  });

  it('returns at most 500 by default and 1000 at most', async () => {
    const sandbox = await start({ rateLimit: false });
    const body = Array.from({ length: 1000 }, (_, index) => rfid((0x04000000 + index).toString(16).toUpperCase().padStart(8, '0')));
    await post(sandbox, body);
    await post(sandbox, body.map((token) => ({ ...token, identifier: { type: 'rfid', uid: `${token.identifier.uid}FFFFFF` } })));
    const first = await call<Page<SpiriiToken>>(sandbox, '/v2/tokens');
    expect(first.body.data).toHaveLength(500);
    expect(first.body.count).toBe(2000);
    expect((await call<Page<SpiriiToken>>(sandbox, '/v2/tokens?limit=1000')).body.data).toHaveLength(1000);
  });
});

describe('GET /v2/tokens filters', () => {
  async function filterFixture(): Promise<Sandbox> {
    const sandbox = await start();
    const response = await post(sandbox, [
      rfid('0A000001', { customerId: 1001, isActive: true, roamingEnabled: true, priorityChargingEnabled: false, validFrom: '2025-01-01T00:00:00Z' }),
      rfid('0B000002', { customerId: 1002, isActive: false, roamingEnabled: true, priorityChargingEnabled: true, validFrom: '2025-06-01T00:00:00Z', expiresAt: '2025-12-31T00:00:00Z' }),
      rfid('0C000003', { customerId: 1001, isActive: true, roamingEnabled: false, priorityChargingEnabled: true, validFrom: '2025-07-01T00:00:00Z', expiresAt: '2026-06-30T00:00:00Z' }),
      { customerId: 1002, identifier: { type: 'virtual', appUserId: 77 }, validFrom: '2024-01-01T00:00:00Z' },
      { customerId: 1003, identifier: { type: 'vehicleId', uid: 'WVWZZZ1JZXW000001' }, validFrom: '2025-01-01T00:00:00Z', isActive: false },
    ]);
    expect(response.status).toBe(201);
    return sandbox;
  }

  it.each<[string, number[]]>([
    ['type=rfid', [10003, 10002, 10001]],
    ['type=virtual', [10004]],
    ['type=vehicleId', [10005]],
    ['customerId=1001', [10003, 10001]],
    ['customerId=1006', []],
    ['isActive=false', [10005, 10002]],
    ['isActive=true', [10004, 10003, 10001]],
    ['roamingEnabled=false', [10003]],
    ['priority=true', [10005, 10004, 10003, 10002]],
    ['priority=false', [10001]],
    // validFrom: tokens that become valid at or after the given time.
    ['validFrom=2025-06-01T00:00:00Z', [10003, 10002]],
    ['validFrom=2025-06-01T02:00:00%2B02:00', [10003, 10002]],
    // expiresFrom: tokens that expire at or after it; tokens that never expire are not "expiring".
    ['expiresFrom=2025-12-31T00:00:00Z', [10003, 10002]],
    ['expiresFrom=2026-01-01T00:00:00Z', [10003]],
    ['type=rfid&customerId=1001&roamingEnabled=true', [10001]],
  ])('filters by %s', async (query, expected) => {
    const sandbox = await filterFixture();
    const response = await call<Page<SpiriiToken>>(sandbox, `/v2/tokens?${query}`);
    expect(response.body.data.map((token) => token.id)).toEqual(expected);
    expect(response.body.count).toBe(expected.length);
  });

  it.each<[string, string]>([
    ['type=card', 'type'],
    ['type=', 'type'],
    ['customerId=0', 'customerId'],
    ['customerId=abc', 'customerId'],
    ['customerId=1.5', 'customerId'],
    ['isActive=yes', 'isActive'],
    ['roamingEnabled=1', 'roamingEnabled'],
    ['priority=TRUE', 'priority'],
    ['validFrom=yesterday', 'validFrom'],
    ['expiresFrom=2025-02-30T00:00:00Z', 'expiresFrom'],
    ['sortBy=name', 'sortBy'],
    ['sortDirection=up', 'sortDirection'],
    ['offset=-1', 'offset'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    [`search=${'x'.repeat(51)}`, 'search'],
    ['uid=04A1B2C3', 'uid'],
    ['type=rfid&type=virtual', 'type'],
  ])('rejects %s with 400 naming %s', async (query, name) => {
    const sandbox = await start();
    const response = await call<ErrorBody>(sandbox, `/v2/tokens?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(`${name}: `);
  });
});

describe('GET /v2/tokens search', () => {
  async function searchFixture(): Promise<Sandbox> {
    const sandbox = await start();
    await post(sandbox, [
      rfid('04A1B2C3D4E5F6', { identifier: { type: 'rfid', uid: '04A1B2C3D4E5F6', label: 'DK.SPI.V03198' } }),
      rfid('A7E942F1C8D036B5A429', { identifier: { type: 'rfid', uid: 'A7E942F1C8D036B5A429', label: 'Fleet card 7' } }),
      rfid('0A0B0C0D'),
    ]);
    return sandbox;
  }

  it.each<[string, number[]]>([
    ['10002', [10002]], // the token id, exactly
    ['1000', []], // ...and only exactly: a prefix of an id is no match
    ['A1B2C3', [10001]], // a part of the uid
    ['a1b2c3', [10001]], // case-insensitively
    ['0A0B0C0D', [10003]], // the whole uid
    ['dk.spi.v03', [10001]], // a part of the label, case-insensitively
    ['CARD', [10002]],
    ['0', [10003, 10002, 10001]],
    ['nothing-like-it', []],
  ])('search=%s finds %j', async (search, expected) => {
    const sandbox = await searchFixture();
    expect(await ids(sandbox, `?search=${encodeURIComponent(search)}`)).toEqual(expected);
  });

  it('accepts a search of exactly 50 characters', async () => {
    const sandbox = await searchFixture();
    expect(await ids(sandbox, `?search=${'x'.repeat(50)}`)).toEqual([]);
  });
});

describe('GET /v2/tokens/{id}', () => {
  it('returns the token, 404 if unknown, 400 if not an id', async () => {
    const sandbox = await start();
    const created = await post<SpiriiToken>(sandbox, rfid('04A1B2C3'));
    const found = await call<SpiriiToken>(sandbox, '/v2/tokens/10001');
    expect(found.status).toBe(200);
    expect(found.body).toEqual(created.body);
    const missing = await call<ErrorBody>(sandbox, '/v2/tokens/99999');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('99999');
    expect((await call<ErrorBody>(sandbox, '/v2/tokens/abc')).status).toBe(400);
    expect((await call<ErrorBody>(sandbox, '/v2/tokens/%E0%A4%A')).status).toBe(400);
  });
});

describe('PATCH /v2/tokens/{id}', () => {
  it('changes the allowed fields, keeps uid and label, and moves updatedAt', async () => {
    const clock = manualClock('2025-06-03T12:00:00.000Z');
    const sandbox = await start({ now: clock.now });
    await post(sandbox, rfid('04A1B2C3', { identifier: { type: 'rfid', uid: '04A1B2C3', label: 'DK.SPI.V1' } }));
    clock.advance(5_000);
    const patch = {
      validFrom: '2025-07-01T00:00:00Z',
      expiresAt: '2026-07-01T00:00:00Z',
      isActive: false,
      roamingEnabled: false,
      priorityChargingEnabled: false,
      billingReference: 'Cost centre 42',
      comment: 'Lost, replaced',
      customerId: 1002,
      identifier: { appUserId: 555 },
    };
    const response = await call<SpiriiToken>(sandbox, '/v2/tokens/10001', { method: 'PATCH', body: patch });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      ...patch,
      validFrom: '2025-07-01T00:00:00.000Z',
      expiresAt: '2026-07-01T00:00:00.000Z',
      identifier: { type: 'rfid', uid: '04A1B2C3', label: 'DK.SPI.V1', appUserId: 555 },
      createdAt: '2025-06-03T12:00:00.000Z',
      updatedAt: '2025-06-03T12:00:05.000Z',
    });
    expect((await call<SpiriiToken>(sandbox, '/v2/tokens/10001')).body).toEqual(response.body);
  });

  it('clears nullable fields with null', async () => {
    const sandbox = await start();
    await post(sandbox, rfid('04A1B2C3', { expiresAt: '2099-01-01T00:00:00Z', comment: 'c', billingReference: 'b' }));
    const response = await call<SpiriiToken>(sandbox, '/v2/tokens/10001', { method: 'PATCH', body: { expiresAt: null, comment: null, billingReference: null } });
    expect(response.body).toMatchObject({ expiresAt: null, comment: null, billingReference: null });
  });

  it.each<[string, unknown, string]>([
    ['identifier.uid', { identifier: { uid: '04A1B2C4' } }, 'identifier.uid: cannot be changed'],
    ['identifier.label', { identifier: { label: 'new' } }, 'identifier.label: cannot be changed'],
    ['identifier.type', { identifier: { type: 'virtual' } }, 'identifier.type: cannot be changed'],
    ['a top-level label', { label: 'new' }, 'label: cannot be changed'],
    ['id', { id: 5 }, 'id: cannot be changed'],
    ['createdAt', { createdAt: '2025-01-01T00:00:00Z' }, 'createdAt: cannot be changed'],
    ['an invalid isActive', { isActive: 'no' }, 'isActive: '],
    ['a too long comment', { comment: 'x'.repeat(101) }, 'comment: '],
    ['a null validFrom', { validFrom: null }, 'validFrom: '],
    ['an expiresAt before validFrom', { expiresAt: '2000-01-01T00:00:00Z' }, 'expiresAt: must be after validFrom'],
    ['a validFrom after expiresAt', { validFrom: '2099-06-01T00:00:00Z' }, 'expiresAt: must be after validFrom'],
    ['customerId 0', { customerId: 0 }, 'customerId: '],
    ['an empty change', {}, 'body: '],
    ['a list', [{ comment: 'x' }], 'body: '],
  ])('refuses %s with 400', async (_name, body, text) => {
    const sandbox = await start();
    const created = await post<SpiriiToken>(sandbox, rfid('04A1B2C3', { validFrom: '2025-01-01T00:00:00Z', expiresAt: '2099-01-01T00:00:00Z' }));
    const response = await call<ErrorBody>(sandbox, '/v2/tokens/10001', { method: 'PATCH', body });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(text);
    expect(sandbox.tokens()).toEqual([created.body]);
  });

  it('answers 404 for an unknown token or customer', async () => {
    const sandbox = await start();
    await post(sandbox, rfid('04A1B2C3'));
    expect((await call(sandbox, '/v2/tokens/99999', { method: 'PATCH', body: { isActive: false } })).status).toBe(404);
    const customer = await call<ErrorBody>(sandbox, '/v2/tokens/10001', { method: 'PATCH', body: { customerId: 999 } });
    expect(customer.status).toBe(404);
    expect(customer.body.message).toContain('customerId');
  });
});

describe('GET /v2/customers', () => {
  it('lists the demo customers by id with { data, count, limit, offset }', async () => {
    const sandbox = await start();
    const response = await call<CustomerPage>(sandbox, '/v2/customers');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: [...DEMO_CUSTOMERS].sort((a, b) => a.id - b.id), count: DEMO_CUSTOMERS.length, limit: 50, offset: 0 });
    expect(response.body.data[0]).toEqual({ id: 1001, name: 'Acme Fleet ApS', externalId: 'ACME-01' });
  });

  it.each<[string, number[]]>([
    ['acme', [1001]], // name, case-insensitive
    ['a/s', [1002, 1005]],
    ['øresund', [1006]], // beyond ASCII
    ['1003', [1003]], // id, exactly
    ['100', []], // not a prefix of an id
    ['nordlys-taxi', [1002]], // externalId, case-insensitive
    ['SKL-22', [1005]],
    ['FJH', [1003]],
  ])('search=%s finds %j', async (search, expected) => {
    const sandbox = await start();
    const response = await call<CustomerPage>(sandbox, `/v2/customers?search=${encodeURIComponent(search)}`);
    expect(response.body.data.map((customer) => customer.id)).toEqual(expected);
    expect(response.body.count).toBe(expected.length);
  });

  it('pages and validates its parameters', async () => {
    const sandbox = await start();
    const page = await call<CustomerPage>(sandbox, '/v2/customers?limit=2&offset=2');
    expect(page.body).toMatchObject({ count: 6, limit: 2, offset: 2 });
    expect(page.body.data.map((customer) => customer.id)).toEqual([1003, 1004]);
    for (const query of ['limit=0', 'limit=1001', 'offset=-1', 'name=acme']) {
      expect((await call(sandbox, `/v2/customers?${query}`)).status).toBe(400);
    }
  });
});
