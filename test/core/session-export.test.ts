// The Session screen's export: written by the core to the file the person chose, the session's
// tokens only, and recorded in the audit trail as an export (a cancelled one is not).
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { tempDir } from '../support/temp';
import { tokenDraft, uidOf } from '../support/tokens';
import { ScriptedDialogs } from '../io/support';

let dir: string;
let cleanup: () => void;
let station: Station;
let dialogs: ScriptedDialogs;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  dialogs = new ScriptedDialogs();
  station = await Station.create({ dataDir: dir, dialogs, readers: { simulated: true, pcsc: false }, sync: { autoStart: false } });
});
afterEach(async () => {
  await station.close();
  cleanup();
});

describe('session.export', () => {
  it("writes the session's tokens through the save dialog and records the export", async () => {
    station.settings.set('preferences', { operatorName: 'Mette Hansen', sound: true, locale: null });
    station.queue.add(tokenDraft(uidOf(1), { label: 'BEFORE' })); // before the session: not exported
    await new Promise((r) => setTimeout(r, 5));
    station.session.restart();
    await new Promise((r) => setTimeout(r, 5));
    station.enrollmentDefaults.update({ customerId: 1001, labelPrefix: 'S-', labelNext: 1 });
    station.simulateTap(uidOf(2));
    station.simulateTap(uidOf(3));
    station.simulateTap(uidOf(4));
    const handlers = createHandlers(station, { version: 't', dataDir: dir });

    const target = path.join(dir, 'session.csv');
    dialogs.answer(target);
    const result = await handlers['session.export']({ format: 'csv' });
    expect(result).toMatchObject({ status: 'done', fileName: 'session.csv', rows: 3 });
    expect(dialogs.asked[0]).toMatchObject({ kind: 'save', defaultName: expect.stringMatching(/^token-station-session-.*\.csv$/) });
    const rows = parse(readFileSync(target, 'utf8'), { bom: true }) as string[][];
    expect(rows[0]!.slice(0, 6)).toEqual(['uid', 'label', 'customerId', 'customerName', 'state', 'spiriiId']);
    // The customer's name beside its number (the built-in sandbox's customer 1001).
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      [uidOf(2), 'S-0001', '1001', 'Acme Fleet ApS'],
      [uidOf(3), 'S-0002', '1001', 'Acme Fleet ApS'],
      [uidOf(4), 'S-0003', '1001', 'Acme Fleet ApS'],
    ]);

    const exports = station.audit.list({ actions: ['export'] });
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({ operator: 'Mette Hansen', action: 'export', subject: 'session.csv', details: { what: 'session', format: 'csv', rows: 3 } });

    const json = path.join(dir, 'session.json');
    dialogs.answer(json);
    expect(await handlers['session.export']({ format: 'json' })).toMatchObject({ status: 'done', rows: 3 });
    const parsed = JSON.parse(readFileSync(json, 'utf8')) as { uid: string; label: string }[];
    expect(parsed.map((t) => t.label)).toEqual(['S-0001', 'S-0002', 'S-0003']);

    // Cancelled in the dialog: nothing written, nothing recorded.
    dialogs.answer(null);
    expect(await handlers['session.export']({ format: 'csv' })).toEqual({ status: 'cancelled' });
    expect(station.audit.list({ actions: ['export'] })).toHaveLength(2);
  });
});
