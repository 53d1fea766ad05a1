// The audit trail: each enrollment recorded with the operator and time by the station itself;
// edits, discards and exports through AuditLog.record; append only; exportable without formulas.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabaseFile } from '../../electron/core/db/sqlite';
import { schemaVersion } from '../../electron/core/db/migrations';
import { exportAudit, UNKNOWN_OPERATOR } from '../../electron/core/audit';
import { registerSecret } from '../../electron/core/logger';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
let station: Station;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  station = await Station.create({ dataDir: dir, readers: { simulated: true }, sync: { autoStart: false } });
});
afterEach(async () => {
  await station.close();
  cleanup();
});

describe('migration 4', () => {
  it('adds the audit table to a database at 3 and keeps its tokens', () => {
    const file = path.join(dir, 'm.sqlite');
    const v3 = openDatabaseFile(file, { targetVersion: 3 });
    v3.prepare(`INSERT INTO tokens (uid, customer_id, source, created_at, updated_at) VALUES ('04A224B2', 7, 'test', 'now', 'now')`).run();
    v3.close();
    const v4 = openDatabaseFile(file, { targetVersion: 4 });
    expect(schemaVersion(v4)).toBe(4);
    expect((v4.prepare('PRAGMA table_info(audit)').all() as { name: string }[]).map((c) => c.name)).toEqual(['id', 'at', 'operator', 'action', 'subject', 'details']);
    expect(v4.prepare('SELECT count(*) AS n FROM tokens').get()).toEqual({ n: 1 });
    expect(() => v4.prepare(`INSERT INTO audit (at, operator, action, details) VALUES ('now', 'x', 'hack', '{}')`).run()).toThrow(/CHECK/);
    v4.close();
  });
});

describe('AuditLog', () => {
  it("records every enrollment with the operator's name and the time, and not a refused tap", () => {
    station.settings.set('preferences', { operatorName: 'Mette Hansen', sound: true, locale: null });
    station.enrollmentDefaults.update({ customerId: 1001, labelPrefix: 'DK-', labelNext: 7 });
    const before = Date.now();
    station.simulateTap('04A224B2C35D80');
    station.simulateTap('04A224B2C35D80'); // duplicate: refused, not an enrollment
    const entries = station.audit.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ operator: 'Mette Hansen', action: 'enroll', subject: '04A224B2C35D80', details: { label: 'DK-0007', customerId: 1001, source: 'simulated:Simulated reader' } });
    expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('says so when no operator name is set', () => {
    station.enrollmentDefaults.update({ customerId: 1001 });
    station.simulateTap();
    expect(station.audit.list()[0]!.operator).toBe(UNKNOWN_OPERATOR);
  });

  it('takes edits, discards and exports from the other areas, newest first, filtered and paged', () => {
    station.audit.record('edit', { tokenId: 3, field: 'label', from: 'A', to: 'B' }, '04A224B2');
    station.audit.record('discard', { tokenId: 4 }, '04A224B3');
    station.audit.record('export', { rows: 10, format: 'csv' }, 'tokens.csv');
    expect(station.audit.list().map((e) => e.action)).toEqual(['export', 'discard', 'edit']);
    expect(station.audit.list({ actions: ['edit', 'discard'] }).map((e) => e.action)).toEqual(['discard', 'edit']);
    const newest = station.audit.list({ limit: 1 })[0]!;
    expect(station.audit.list({ beforeId: newest.id }).map((e) => e.action)).toEqual(['discard', 'edit']);
    expect(() => station.audit.record('delete-everything' as never, {})).toThrow(/Unknown audit action/);
  });

  it("records the other areas' edits, discards and exports made through the contract", async () => {
    station.settings.set('preferences', { operatorName: 'Jonas', sound: false, locale: null });
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    await handlers['enrollment.update']({ customerId: 1001 });
    const first = station.simulateTap('04A224B2C35D80');
    const second = station.simulateTap('04A224B2C35D81');
    if (first.status !== 'queued' || second.status !== 'queued') throw new Error('not queued');
    await handlers['queue.edit']({ id: first.token.id, patch: { label: 'NEW-1' } });
    await handlers['queue.discard']({ id: second.token.id });
    await Promise.resolve(handlers['queue.discard']({ id: 999_999 })).catch(() => undefined); // nothing discarded: nothing recorded
    const entries = station.audit.list({ actions: ['edit', 'discard'] });
    expect(entries.map((e) => [e.action, e.operator, e.subject])).toEqual([
      ['discard', 'Jonas', '04A224B2C35D81'],
      ['edit', 'Jonas', '04A224B2C35D80'],
    ]);
    expect(entries[1]!.details).toEqual({ tokenId: first.token.id, where: 'local queue', patch: { label: 'NEW-1' } });
  });

  it('records an edit of a token in Spirii (the Tokens screen), with what changed', async () => {
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    const [created] = await station.client.createTokens([{ customerId: 1001, identifier: { type: 'rfid', uid: '04A224B2C35D99', label: 'L-9' } }]);
    await handlers['tokens.patch']({ id: created!.id, patch: { isActive: false, comment: 'lost card' } });
    expect(station.audit.list({ actions: ['edit'] })).toMatchObject([
      { action: 'edit', subject: '04A224B2C35D99', details: { spiriiId: created!.id, where: 'Spirii', patch: { isActive: false, comment: 'lost card' } } },
    ]);
  });

  it('is append only: the database refuses to change an entry', () => {
    station.audit.record('discard', { tokenId: 1 });
    expect(() => station.db.prepare("UPDATE audit SET operator = 'someone else'").run()).toThrow(/cannot be changed/);
  });

  it('never stores a key, even one passed in by mistake', () => {
    registerSecret('audit-secret-key-0001');
    station.audit.record('export', { note: 'key audit-secret-key-0001', headers: { authorization: 'Bearer abcdefgh12345' } });
    const stored = JSON.stringify(station.db.prepare('SELECT * FROM audit').all());
    expect(stored).not.toContain('audit-secret-key-0001');
    expect(stored).not.toContain('abcdefgh12345');
  });

  it('exports as CSV that a spreadsheet will not run as formulas, and as JSON; the export is itself recorded', async () => {
    station.settings.set('preferences', { operatorName: '=HYPERLINK("http://evil")', sound: true, locale: null });
    station.audit.record('edit', { comment: 'Ærø, "quoted"' }, '+SUM(A1)');
    const handlers = createHandlers(station, { version: 't', dataDir: dir });
    const csv = await handlers['audit.export']({ format: 'csv' });
    expect(csv.filename).toMatch(/^token-station-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.count).toBe(1);
    const lines = csv.content.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,time,operator,action,subject,details');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain(`'+SUM(A1)`);
    expect(lines[1]).toContain('Ærø');
    const json = JSON.parse((await handlers['audit.export']({ format: 'json' })).content);
    expect(json.map((e: { action: string }) => e.action)).toEqual(['export', 'edit']);
    expect(station.audit.list({ actions: ['export'] })).toHaveLength(2);
    expect(exportAudit([], 'csv')).toBe('\ufeffid,time,operator,action,subject,details\r\n');
  });
});
