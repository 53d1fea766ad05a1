/**
 * An import through the station, as the window drives it: a file chosen in the (scripted) dialog,
 * a preview that holds back the cards already queued or already in Spirii, and a confirmation that
 * queues all ready rows in one transaction or none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { ImportConflict } from '../../electron/core/io/import';
import type { FilesProgress } from '../../electron/core/io/files';
import type { TokenCreate } from '../../electron/core/token';
import { tempDir } from '../support/temp';
import { closedPort } from '../support/net';
import { ScriptedDialogs, writeFile } from './support';

const opened: { station: Station; cleanup: () => void }[] = [];
afterEach(async () => {
  for (const { station, cleanup } of opened.splice(0)) {
    await station.close();
    cleanup();
  }
});

async function open(options: { offline?: boolean } = {}) {
  const { dir, cleanup } = tempDir('token-station-import-');
  const dialogs = new ScriptedDialogs();
  const api = options.offline ? { baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k' } : undefined;
  const station = await Station.create({ dataDir: dir, api, dialogs, readers: { simulated: true }, sync: { autoStart: false } });
  opened.push({ station, cleanup });
  station.enrollmentDefaults.update({ customerId: 1001 });
  return { station, dialogs, dir };
}

const FILE = ['uid;label;comment', '04A224B2C35D80;DK.1;first', '04A224B2C35D81;DK.2;', '04A224B2C35D82;DK.3;', '04A224B2C35D80;DK.1;first'].join('\r\n');

function rfid(uid: string, customerId = 1002, label?: string): TokenCreate {
  return { customerId, identifier: { type: 'rfid', uid, ...(label ? { label } : {}) } };
}

describe('import through the station', () => {
  it('previews without queueing, then queues the ready rows; the same file again queues nothing', async () => {
    const { station, dialogs, dir } = await open();
    const file = writeFile(dir, 'cards.csv', FILE);
    const progress: FilesProgress[] = [];
    station.events.on('files', (p) => progress.push(p));

    dialogs.answer(file);
    const first = await station.files.openImport({ job: 'imp-1' });
    expect(dialogs.asked).toEqual([{ kind: 'open', title: 'Import cards from a CSV file' }]);
    if (first.status !== 'ready') throw new Error(JSON.stringify(first));
    expect(first.preview.format.description).toBe('UTF-8, semicolon-separated, CRLF line ends, UIDs in hex (detected)');
    expect(first.preview.summary).toMatchObject({ rows: 4, ready: 3, duplicateInFile: 1, duplicateInQueue: 0, duplicateInSpirii: 0 });
    expect(first.summaryText).toBe('4 rows: 3 to queue; not queued: 1 repeated in the file.');
    expect(first.preview.spirii).toEqual({ state: 'checked', message: null });
    expect(first.preview.previous).toBeNull();
    expect(station.queue.counts().pending).toBe(0); // nothing before the confirmation
    expect(progress.map((p) => [p.job, p.kind, p.phase])).toContainEqual(['imp-1', 'import', 'done']);

    const queuedEvents: number[] = [];
    station.events.on('queue', (tokens) => queuedEvents.push(tokens.length));
    const result = station.files.confirmImport(first.preview.id);
    expect(result).toMatchObject({ queued: 3, notQueued: 1, message: 'Queued 3 cards from cards.csv; 1 rows not queued.' });
    expect(queuedEvents).toEqual([3]); // one event for the whole import
    expect(station.queue.findByUid('04A224B2C35D80')).toMatchObject({ label: 'DK.1', comment: 'first', customerId: 1001, source: 'import:cards.csv', state: 'pending' });
    expect(() => station.files.confirmImport(first.preview.id)).toThrow(/no longer open/);

    dialogs.answer(file);
    const second = await station.files.openImport({});
    if (second.status !== 'ready') throw new Error(JSON.stringify(second));
    expect(second.preview.summary).toMatchObject({ ready: 0, duplicateInQueue: 3, duplicateInFile: 1 });
    expect(second.preview.previous).toMatchObject({ fileName: 'cards.csv', queued: 3 });
    expect(second.preview.rows[0]!.message).toBe('Card 04A224B2C35D80 is already in the queue (pending, customer 1001, label DK.1)');
    expect(station.files.confirmImport(second.preview.id).queued).toBe(0);
    expect(station.queue.counts().pending).toBe(3);
  }, 30_000);

  it('fills a missing customer from the choice for the file, and can re-read the file with another UID format', async () => {
    const { station, dialogs, dir } = await open();
    dialogs.answer(writeFile(dir, 'rev.csv', 'card\n805DC3B224A204\n'));
    const hex = await station.files.openImport({ customerId: 1004 });
    if (hex.status !== 'ready') throw new Error(JSON.stringify(hex));
    expect(hex.preview.rows[0]).toMatchObject({ uid: '805DC3B224A204', customerId: 1004 });
    const reversed = await station.files.previewAgain(hex.preview.id, { customerId: 1004, uidFormat: 'reversed' });
    if (reversed.status !== 'ready') throw new Error(JSON.stringify(reversed));
    expect(reversed.preview.rows[0]).toMatchObject({ uid: '04A224B2C35D80', customerId: 1004 });
    expect(reversed.preview.format.description).toMatch(/UIDs in hex, bytes reversed$/);
    expect(station.files.confirmImport(reversed.preview.id).queued).toBe(1);
    expect(station.queue.findByUid('04A224B2C35D80')?.customerId).toBe(1004);
  });

  it('is all or nothing: a card queued between preview and confirmation stops the whole import', async () => {
    const { station, dialogs, dir } = await open();
    dialogs.answer(writeFile(dir, 'cards.csv', FILE));
    const preview = await station.files.openImport({});
    if (preview.status !== 'ready') throw new Error(JSON.stringify(preview));
    // The last ready row's card is tapped at the desk meanwhile: the rows before it were already inserted when it conflicts.
    expect(station.enrollment.tap('04A224B2C35D82', 'simulated').status).toBe('queued');
    expect(() => station.files.confirmImport(preview.preview.id)).toThrow(ImportConflict);
    expect(() => station.files.confirmImport(preview.preview.id)).toThrow(/Nothing was imported: preview the file again/);
    expect(station.queue.list().map((t) => t.uid)).toEqual(['04A224B2C35D82']);
  });

  it('queues a card the desk discarded, as a tap would, and records each imported card in the audit trail as a tap is', async () => {
    const { station, dialogs, dir } = await open();
    station.preferences.update({ operatorName: 'Mette Hansen' });
    const tapped = station.enrollment.tap('04A224B2C35D80', 'simulated');
    if (tapped.status !== 'queued') throw new Error(JSON.stringify(tapped));
    station.queue.discard(tapped.token.id);
    const enrolledBefore = station.audit.list({ actions: ['enroll'] }).length;

    dialogs.answer(writeFile(dir, 'cards.csv', FILE));
    const preview = await station.files.openImport({});
    if (preview.status !== 'ready') throw new Error(JSON.stringify(preview));
    expect(preview.preview.summary).toMatchObject({ rows: 4, ready: 3, duplicateInQueue: 0, duplicateInFile: 1 });
    expect(station.files.confirmImport(preview.preview.id).queued).toBe(3);
    expect(station.queue.findByUid('04A224B2C35D80')).toMatchObject({ state: 'pending', label: 'DK.1', source: 'import:cards.csv' });

    const enrolled = station.audit.list({ actions: ['enroll'] }).slice(0, -enrolledBefore || undefined);
    expect(enrolled.map((e) => e.subject).sort()).toEqual(['04A224B2C35D80', '04A224B2C35D81', '04A224B2C35D82']);
    const first = station.queue.findByUid('04A224B2C35D80')!;
    expect(station.audit.about('04A224B2C35D80')[0]).toMatchObject({
      operator: 'Mette Hansen',
      action: 'enroll',
      details: { tokenId: first.id, label: 'DK.1', customerId: 1001, comment: 'first', source: 'import:cards.csv' },
    });
  });

  it('refuses a label another live card has, as a tap and `add` do, with the same words; a discarded card gives its label back', async () => {
    const { station, dialogs, dir } = await open();
    // DK.2 is on another card in the queue; DK.3 was on a card the desk discarded (history, free again).
    const other = station.enrollment.tap('04B000000000AA', 'simulated', { label: 'DK.2' });
    const gone = station.enrollment.tap('04B000000000BB', 'simulated', { label: 'DK.3' });
    if (other.status !== 'queued' || gone.status !== 'queued') throw new Error(JSON.stringify([other, gone]));
    station.queue.discard(gone.token.id);
    // What a tap (and `add`, which taps with a label of its own) says of DK.2 on a new card.
    const tap = station.enrollment.tap('04A224B2C35D81', 'cli', { label: 'DK.2', customerId: 1001 });
    expect(tap).toMatchObject({ status: 'refused', reason: 'label-used' });
    const tapped = tap.status === 'refused' ? tap.message : '';

    dialogs.answer(writeFile(dir, 'cards.csv', FILE));
    const preview = await station.files.openImport({});
    if (preview.status !== 'ready') throw new Error(JSON.stringify(preview));
    expect(preview.preview.summary).toMatchObject({ rows: 4, ready: 2, invalid: 1, duplicateInFile: 1, duplicateInQueue: 0 });
    const refused = preview.preview.rows.find((r) => r.uid === '04A224B2C35D81')!;
    expect(refused).toMatchObject({ status: 'invalid', message: tapped, detail: { key: 'label-used', params: { label: 'DK.2', uid: '04B000000000AA', state: 'pending', customerId: 1001 } } });
    expect(tapped).toBe('Label DK.2 is already on card 04B000000000AA (in the queue)');
    expect(preview.preview.problems).toContainEqual(expect.objectContaining({ row: 3, column: 'label', severity: 'error', message: tapped }));

    // A label given to another card between the preview and the confirmation stops the import, as a card queued meanwhile does.
    expect(station.enrollment.tap('04B000000000CC', 'simulated', { label: 'DK.3' }).status).toBe('queued');
    expect(() => station.files.confirmImport(preview.preview.id)).toThrow(/Nothing was imported: preview the file again/);
    dialogs.answer(writeFile(dir, 'cards.csv', FILE));
    const again = await station.files.openImport({});
    if (again.status !== 'ready') throw new Error(JSON.stringify(again));
    expect(again.preview.summary).toMatchObject({ ready: 1, invalid: 2 });
    expect(station.files.confirmImport(again.preview.id).queued).toBe(1);
    expect(station.queue.findByLabel('DK.2')!.uid).toBe('04B000000000AA');
    expect(station.queue.findByLabel('DK.3')!.uid).toBe('04B000000000CC');
  });

  it('holds back every card of a file that gives one label to two cards: neither may have it, as two taps could not', async () => {
    const { station, dialogs, dir } = await open();
    const file = ['uid;label', '04A224B2C35D80;DK.1', '04A224B2C35D81;DK.7', '04A224B2C35D82;DK.7', '04A224B2C35D83;DK.3'].join('\n');
    dialogs.answer(writeFile(dir, 'cards.csv', file));
    const preview = await station.files.openImport({});
    if (preview.status !== 'ready') throw new Error(JSON.stringify(preview));
    expect(preview.preview.summary).toMatchObject({ rows: 4, ready: 2, invalid: 2 });
    expect(preview.preview.rows.filter((r) => r.status === 'invalid').map((r) => [r.row, r.message, r.detail])).toEqual([
      [3, 'Label DK.7 is also on card 04A224B2C35D82 in row 4; neither row is queued', { key: 'label-repeated', params: { label: 'DK.7', uid: '04A224B2C35D82', row: 4 } }],
      [4, 'Label DK.7 is also on card 04A224B2C35D81 in row 3; neither row is queued', { key: 'label-repeated', params: { label: 'DK.7', uid: '04A224B2C35D81', row: 3 } }],
    ]);
    expect(station.files.confirmImport(preview.preview.id).queued).toBe(2);
    expect(station.queue.findByLabel('DK.7')).toBeUndefined();
  });

  it('shows the cards Spirii already holds, by paging through a small tenant or looking cards up in a large one', async () => {
    const { station, dialogs, dir } = await open();
    await station.client.createTokens([rfid('04A224B2C35D81', 1002, 'THEIRS')]);
    dialogs.answer(writeFile(dir, 'cards.csv', FILE));
    const small = await station.files.openImport({});
    if (small.status !== 'ready') throw new Error(JSON.stringify(small));
    expect(small.preview.summary).toMatchObject({ ready: 2, duplicateInSpirii: 1 });
    expect(small.preview.rows.find((r) => r.uid === '04A224B2C35D81')?.message).toMatch(/^Card 04A224B2C35D81 is already in Spirii \(token \d+, customer 1002, label THEIRS\)$/);

    // 2,500 tokens: three pages to read, against three cards to look up one by one.
    for (let batch = 0; batch < 3; batch++) {
      const count = batch < 2 ? 1000 : 499;
      await station.client.createTokens(Array.from({ length: count }, (_, i) => rfid((0x05000000 + batch * 1000 + i).toString(16).toUpperCase().padStart(8, '0'))));
    }
    const before = station.sandbox!.stats.readRequests;
    dialogs.answer(writeFile(dir, 'one.csv', 'uid\n05000007\n04A224B2C35D89\n'));
    const large = await station.files.openImport({});
    if (large.status !== 'ready') throw new Error(JSON.stringify(large));
    expect(large.preview.summary).toMatchObject({ ready: 1, duplicateInSpirii: 1 });
    expect(large.preview.rows[0]!.duplicate).toBe('spirii');
    expect(station.sandbox!.stats.readRequests - before).toBe(3); // the count, then one look-up per card
  }, 30_000);

  it('offline, the preview says Spirii was not checked and still queues', async () => {
    const { station, dialogs, dir } = await open({ offline: true });
    dialogs.answer(writeFile(dir, 'cards.csv', FILE));
    const preview = await station.files.openImport({});
    if (preview.status !== 'ready') throw new Error(JSON.stringify(preview));
    expect(preview.preview.spirii.state).toBe('offline');
    expect(preview.preview.spirii.message).toMatch(/^Spirii could not be reached, so cards already in Spirii are not shown/);
    expect(station.files.confirmImport(preview.preview.id).queued).toBe(3);
  });

  it('a cancelled dialog does nothing; a refused file says why', async () => {
    const { station, dialogs, dir } = await open();
    dialogs.answer(null, writeFile(dir, 'bin.csv', Buffer.from([0, 1, 2, 3, 0, 0])));
    expect(await station.files.openImport({})).toEqual({ status: 'cancelled' });
    expect(await station.files.openImport({})).toEqual({ status: 'refused', fileName: 'bin.csv', message: expect.stringMatching(/not a CSV file/), detail: { key: 'binary', params: {} } });
  });
});
