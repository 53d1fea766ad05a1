/** A reader that exists only in software: the "Simulate tap" button and `enroll --simulate`. */
import { randomUid } from '../uid';
import { Listeners } from '../events';
import type { ReaderEvent, ReaderInfo, ReaderSource } from './types';

export const SIMULATED_READER: ReaderInfo = { name: 'Simulated reader', kind: 'simulated' };

export class SimulatedReaders implements ReaderSource {
  readonly kind = 'simulated' as const;
  private readonly events = new Listeners<ReaderEvent>();
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    this.events.emit({ type: 'attached', reader: SIMULATED_READER });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.events.emit({ type: 'detached', reader: SIMULATED_READER });
  }

  readers(): ReaderInfo[] {
    return this.started ? [SIMULATED_READER] : [];
  }

  on(listener: (event: ReaderEvent) => void): () => void {
    return this.events.add(listener);
  }

  /**
   * Put a card with the given UID (already canonical) or a random 7-byte one on the reader and take
   * it off again, as a listener of this source sees it; returns the UID. (The window's button goes
   * through ReaderDesk.simulate, which hands back the outcome.)
   */
  present(uid: string = randomUid(7)): string {
    this.events.emit({ type: 'card', reader: SIMULATED_READER, uid, cardType: 'simulated', card: { key: 'simulated', params: {} } });
    this.events.emit({ type: 'card-removed', reader: SIMULATED_READER });
    return uid;
  }
}
