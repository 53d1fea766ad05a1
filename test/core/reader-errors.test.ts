// A reader failure must reach the desk, even one that happened before any window was open.
// Here PC/SC really fails to load: the adapter is pointed at an addon file that does not exist.
// (Its own test file, so that no earlier test has nfc-pcsc loaded already in this process.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Station } from '../../electron/core/station';
import { tempDir } from '../support/temp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('a reader that cannot start', () => {
  it('is reported with what to do, kept for later windows, and leaves the rest of the desk working', async () => {
    const station = await Station.create({
      dataDir: dir,
      readers: { pcsc: true, simulated: true },
      native: { pcsc: '/nonexistent/pcsclite.node' },
      sync: { autoStart: false },
    });
    try {
      const status = station.readerDesk.status();
      expect(status.lastError).toMatchObject({
        reader: null,
        message: expect.stringMatching(/^PC\/SC is not available: .*nonexistent.*Install the smart-card service \(pcscd on Linux\)/),
        at: expect.any(String),
      });
      // The same, machine-readable, for a window in another language: the library's text kept whole.
      expect(status.lastError!.detail).toEqual({ key: 'unavailable', params: { error: expect.stringContaining('/nonexistent/pcsclite.node') } });
      expect(status.lastError!.message).toContain((status.lastError!.detail as { params: { error: string } }).params.error);
      expect(status.lastError!.hintDetail?.key).toBe(process.platform === 'linux' ? 'unavailable-linux' : 'unavailable');
      expect(status.setup).toHaveLength(status.hints.length);
      expect(status.readers).toEqual([{ name: 'Simulated reader', kind: 'simulated' }]);
      station.enrollmentDefaults.update({ customerId: 1001 });
      expect(station.simulateTap('04A224B2')).toMatchObject({ status: 'queued' });
    } finally {
      await station.close();
    }
  });
});
