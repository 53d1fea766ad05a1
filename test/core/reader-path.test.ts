// The reader path has one direction: reader adapters -> desk -> enrollment -> queue. The desk
// listens to the adapters it was given and hands an accepted card down to the enrollment; what
// happened comes back out as events, and every tap's outcome is announced once, whoever tapped.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/sqlite';
import { Settings } from '../../electron/core/settings';
import { ReaderDesk, readerSettingsSection, type DeskEvent } from '../../electron/core/readers/desk';
import { SimulatedReaders } from '../../electron/core/readers/simulated';
import { Station } from '../../electron/core/station';
import type { TapOutcome } from '../../electron/core/enrollment';
import { tempDir } from '../support/temp';
import { uidOf } from '../support/tokens';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('the reader desk', () => {
  it('listens to its adapters from start, sends a card down to the enrollment, and tells what happened as events', async () => {
    const { dir, cleanup } = tempDir();
    const db = openDatabase(dir);
    cleanups.push(cleanup, () => {
      db.close();
    });
    const simulated = new SimulatedReaders();
    const enrolled: [string, string][] = [];
    const enroller = {
      tap: (uid: string, source: string): TapOutcome => {
        enrolled.push([uid, source]);
        return { status: 'label-needed', uid, message: 'label it' };
      },
    };
    const desk = new ReaderDesk([simulated], readerSettingsSection(new Settings(db)), enroller);
    const events: DeskEvent[] = [];
    desk.on((event) => events.push(event));

    simulated.present(uidOf(1)); // not started: nobody listens yet
    expect(enrolled).toEqual([]);
    desk.start();
    simulated.present(uidOf(2));
    expect(enrolled).toEqual([[uidOf(2), 'simulated:Simulated reader']]);
    expect(events.map((e) => (e.type === 'changed' ? e.update.event.type : e.type))).toEqual(['attached', 'card', 'card-removed']);
    expect(desk.status().lastCard).toMatchObject({ uid: uidOf(2), outcome: 'label-needed' });

    // A wedge typing nonsense never reaches the enrollment: it comes out as a refusal.
    desk.typed('not a uid', 'hex');
    expect(enrolled).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'refused', outcome: { status: 'refused', reason: 'invalid-uid' } });

    await desk.stop();
    simulated.present(uidOf(3));
    expect(enrolled).toHaveLength(1);
  });
});

describe('taps through the station', () => {
  async function station(): Promise<Station> {
    const data = tempDir();
    const s = await Station.create({ dataDir: data.dir, readers: { simulated: true, pcsc: false }, sync: { autoStart: false } });
    s.enrollmentDefaults.update({ customerId: 1001 });
    cleanups.push(data.cleanup, () => s.close());
    return s;
  }

  it('announces every outcome once and records every enrollment, whether a reader, the window or the CLI tapped', async () => {
    const s = await station();
    const announced: TapOutcome[] = [];
    s.events.on('tap', (outcome) => announced.push(outcome));

    const simulated = s.simulateTap(uidOf(10));
    const direct = s.enrollment.tap(uidOf(11), 'cli', { label: 'C-1' });
    s.simulated!.present(uidOf(12));
    const duplicate = s.enrollment.tap(uidOf(11), 'cli');

    expect(announced).toEqual([simulated, direct, expect.objectContaining({ status: 'queued', token: expect.objectContaining({ uid: uidOf(12) }) }), duplicate]);
    expect(duplicate).toMatchObject({ status: 'refused', reason: 'duplicate' });
    expect(
      s.audit
        .list({ actions: ['enroll'] })
        .map((e) => e.subject)
        .sort(),
    ).toEqual([uidOf(10), uidOf(11), uidOf(12)].sort());
  });

  it('a label given in typed mode is announced once, after the view that no card waits', async () => {
    const s = await station();
    s.enrollmentDefaults.update({ labelMode: 'typed' });
    const seen: string[] = [];
    s.events.on('tap', (outcome) => seen.push(`tap:${outcome.status}`));
    s.events.on('enrollment', (view) => seen.push(`view:${view.awaitingLabel ? 'waiting' : 'none'}`));
    s.simulateTap(uidOf(20));
    s.enrollment.giveLabel('L-20');
    expect(seen).toEqual(['view:waiting', 'tap:label-needed', 'view:none', 'tap:queued']);
  });
});
