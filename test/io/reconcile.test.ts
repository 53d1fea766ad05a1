/** Reconciliation: the desk's history against Spirii, each kind of difference found and exportable. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { Station } from '../../electron/core/station';
import { tempDir } from '../support/temp';
import { tokenDraft } from '../support/tokens';
import { ScriptedDialogs } from './support';

let dir: string;
let cleanup: () => void;
let station: Station;
const dialogs = new ScriptedDialogs();

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('token-station-reconcile-'));
  station = await Station.create({ dataDir: path.join(dir, 'data'), dialogs, readers: { simulated: false }, sync: { autoStart: false } });
  const [same, moved, relabelled, inactive] = await station.client.createTokens([
    { customerId: 1001, identifier: { type: 'rfid', uid: '04A10000000001', label: 'A-1' } },
    { customerId: 1002, identifier: { type: 'rfid', uid: '04A10000000002', label: 'A-2' } },
    { customerId: 1001, identifier: { type: 'rfid', uid: '04A10000000003', label: 'OTHER' } },
    { customerId: 1001, identifier: { type: 'rfid', uid: '04A10000000004', label: 'A-4' }, isActive: false },
    { customerId: 1003, identifier: { type: 'rfid', uid: '04A10000000099', label: 'ELSEWHERE' } },
  ]);
  const synced = [same!, moved!, relabelled!, inactive!];
  ['A-1', 'A-2', 'A-3', 'A-4'].forEach((label, i) => station.queue.add(tokenDraft(`04A1000000000${i + 1}`, { label, customerId: 1001 })));
  station.queue.add(tokenDraft('04A10000000005', { label: 'A-5', customerId: 1001 })); // never sent
  const claimed = station.queue.claimPending(4, 'test');
  station.queue.markSynced(claimed.map((t, i) => ({ id: t.id, spiriiId: synced[i]!.id })));
});
afterAll(async () => {
  await station.close();
  cleanup();
});

describe('reconciliation', () => {
  it('finds what is missing in Spirii, not enrolled here, inactive, or with another customer or label', async () => {
    const report = await station.files.reconcile({});
    expect(report.counts).toEqual({ 'missing-in-spirii': 1, 'not-enrolled-here': 1, inactive: 1, 'customer-differs': 1, 'label-differs': 1 });
    expect(report.differences.map((d) => [d.kind, d.uid, d.message])).toEqual([
      ['missing-in-spirii', '04A10000000005', 'Not sent yet (waiting in the queue)'],
      ['not-enrolled-here', '04A10000000099', expect.stringMatching(/^In Spirii as token \d+ for customer 1003, but not enrolled at this desk$/)],
      ['inactive', '04A10000000004', expect.stringMatching(/^Inactive in Spirii/)],
      ['customer-differs', '04A10000000002', 'Customer 1001 here, 1002 in Spirii'],
      ['label-differs', '04A10000000003', 'Label A-3 here, OTHER in Spirii'],
    ]);
    expect(report.summaryText).toBe('5 enrolled here, 5 RFID tokens in Spirii: 1 missing in Spirii, 1 not enrolled here, 1 inactive, 1 with another customer, 1 with another label.');
  });

  it('for one customer, finds a card Spirii holds under another customer rather than calling it missing', async () => {
    const report = await station.files.reconcile({ customerId: 1001 });
    expect(report.differences.find((d) => d.uid === '04A10000000002')?.kind).toBe('customer-differs');
    expect(report.counts['not-enrolled-here']).toBe(0);
  });

  it('exports the differences', async () => {
    await station.files.reconcile({});
    const file = path.join(dir, 'diff.csv');
    dialogs.answer(file);
    const result = await station.files.exportReconciliation({ format: 'csv', csv: { delimiter: ';' } });
    expect(result).toMatchObject({ status: 'done', rows: 5 });
    const rows = parse(readFileSync(file), { columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(rows.map((r) => r.difference)).toEqual(['missing-in-spirii', 'not-enrolled-here', 'inactive', 'customer-differs', 'label-differs']);
    expect(rows[3]).toMatchObject({ uid: '04A10000000002', localCustomerId: '1001', spiriiCustomerId: '1002' });
  });
});
