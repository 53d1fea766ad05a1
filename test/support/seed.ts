/**
 * A built-in sandbox that already holds many tokens: its snapshot file (sandbox-tokens.json in the
 * data folder), written before the Station starts, is what the sandbox loads. Deterministic, so
 * tests can compute what a query must answer.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SpiriiToken, TokenType } from '../../electron/core/token';
import { FIRST_TOKEN_ID } from '../../electron/sandbox/store';

const CUSTOMERS = [1001, 1002, 1003, 1004, 1005, 1006];
const TYPES: TokenType[] = ['rfid', 'rfid', 'rfid', 'virtual', 'vehicleId'];
const DAY = 86_400_000;
const BASE = Date.parse('2025-01-01T00:00:00.000Z');

export function seedToken(i: number): SpiriiToken {
  const type = TYPES[i % TYPES.length]!;
  const created = new Date(BASE + i * 60_000).toISOString();
  const validFrom = new Date(BASE + (i % 365) * DAY).toISOString();
  return {
    id: FIRST_TOKEN_ID + i,
    customerId: CUSTOMERS[i % CUSTOMERS.length]!,
    identifier:
      type === 'rfid'
        ? { type, uid: `04${(0x100000 + i).toString(16).toUpperCase().padStart(12, '0')}`, label: `DK.SEED.${String(i).padStart(6, '0')}` }
        : type === 'virtual'
          ? { type, appUserId: 50_000 + i, label: null }
          : { type, uid: `WVWZZZ1JZ${String(i).padStart(8, '0')}`, label: null },
    createdAt: created,
    updatedAt: created,
    validFrom,
    expiresAt: i % 4 === 0 ? null : new Date(Date.parse(validFrom) + (30 + (i % 700)) * DAY).toISOString(),
    isActive: i % 7 !== 0,
    roamingEnabled: i % 3 !== 0,
    priorityChargingEnabled: i % 2 === 0,
    billingReference: i % 5 === 0 ? `REF-${i}` : null,
    comment: null,
  };
}

/** Write `count` tokens as the sandbox's snapshot in `dataDir`; returns them. */
export function seedSandbox(dataDir: string, count: number): SpiriiToken[] {
  const tokens = Array.from({ length: count }, (_, i) => seedToken(i));
  writeFileSync(path.join(dataDir, 'sandbox-tokens.json'), JSON.stringify({ version: 1, tokens }));
  return tokens;
}
