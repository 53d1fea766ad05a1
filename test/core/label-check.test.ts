/**
 * A label typed for the card waiting for one ('typed' label mode) is checked with Spirii before the
 * card is queued: Spirii can never change a token's label afterwards, so a label Spirii already has
 * on another card is refused, told as a tap's outcome, and the card keeps waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import type { TapOutcome } from '../../electron/core/enrollment';
import { seedSandbox } from '../support/seed';
import { tempDir } from '../support/temp';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function typedLabelStation(): Promise<{ station: Station; seeded: ReturnType<typeof seedSandbox> }> {
  const data = tempDir();
  const seeded = seedSandbox(data.dir, 6);
  const station = await Station.create({ dataDir: data.dir, readers: { simulated: true, pcsc: false }, sync: { autoStart: false } });
  cleanups.push(() => station.close(), data.cleanup);
  station.enrollmentDefaults.update({ customerId: 1001, labelMode: 'typed' });
  return { station, seeded };
}

describe("the typed label's check with Spirii", () => {
  it('refuses a label Spirii has on another card, tells it as a tap, and queues the card under a free label', async () => {
    const { station, seeded } = await typedLabelStation();
    const inSpirii = seeded[0]!;
    const taps: TapOutcome[] = [];
    cleanups.push(station.events.on('tap', (outcome) => taps.push(outcome)));
    expect(station.simulateTap('04A224B2C3D4E5').status).toBe('label-needed');

    const refused = await station.giveLabelChecked(inSpirii.identifier.label!);
    expect(refused).toMatchObject({
      status: 'refused',
      reason: 'label-used',
      uid: '04A224B2C3D4E5',
      detail: { key: 'label-in-spirii', params: { label: inSpirii.identifier.label, uid: inSpirii.identifier.uid, spiriiId: inSpirii.id, customerId: inSpirii.customerId } },
    });
    expect(taps.at(-1)).toEqual(refused);
    expect(station.enrollment.view.awaitingLabel?.uid).toBe('04A224B2C3D4E5');
    expect(station.queue.counts().pending + station.queue.counts().held).toBe(0);

    expect(await station.giveLabelChecked('DK.FREE.000001')).toMatchObject({ status: 'queued', token: { uid: '04A224B2C3D4E5', label: 'DK.FREE.000001' } });
  });

  it("takes the label Spirii has on the same card (the desk enrolls a card Spirii already knows; the sync settles it)", async () => {
    const { station, seeded } = await typedLabelStation();
    const inSpirii = seeded[0]!;
    expect(station.simulateTap(inSpirii.identifier.uid!).status).toBe('label-needed');
    expect(await station.giveLabelChecked(inSpirii.identifier.label!)).toMatchObject({ status: 'queued', token: { uid: inSpirii.identifier.uid, label: inSpirii.identifier.label } });
  });
});
