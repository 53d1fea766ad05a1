/**
 * The simulated reader taps made-up cards. On the built-in sandbox (or a sandbox server on this
 * machine) that is how a desk tries the app out; against Spirii it would create real tokens for
 * cards that do not exist, so the core refuses it and the window hides the button.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { createHandlers } from '../../electron/contract/handlers';
import { tempDir } from '../support/temp';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function station(api?: { baseUrl: string; apiKey: string }): Promise<Station> {
  const data = tempDir();
  const s = await Station.create({ dataDir: data.dir, api, readers: { simulated: true, pcsc: false }, sync: { autoStart: false } });
  s.enrollmentDefaults.update({ customerId: 1001 });
  cleanups.push(() => s.close(), data.cleanup);
  return s;
}

describe('the simulated reader', () => {
  it('taps on the built-in sandbox, and says so in app.info', async () => {
    const s = await station();
    expect(s.simulateTap().status).toBe('queued');
    const info = await createHandlers(s, { version: 't', dataDir: 'd' })['app.info']({});
    expect(info.simulatedTaps).toBe(true);
  });

  it('refuses to tap against Spirii: nothing is queued, and app.info tells the window to hide the button', async () => {
    const s = await station({ baseUrl: 'https://api.spirii.example', apiKey: 'k' });
    expect(() => s.simulateTap()).toThrow(/only on a sandbox API/);
    expect(s.queue.counts().pending).toBe(0);
    const info = await createHandlers(s, { version: 't', dataDir: 'd' })['app.info']({});
    expect(info.simulatedTaps).toBe(false);
  });

  it('taps against a sandbox server on this machine (how the tests and a developer run it)', async () => {
    const s = await station({ baseUrl: 'http://127.0.0.1:9/', apiKey: 'k' });
    expect(s.simulateTap().status).toBe('queued');
  });
});
