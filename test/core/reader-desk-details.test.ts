// What the desk keeps about the last card and the last error carries, next to the English, a
// machine-readable key (the window words it in its language). No hardware: a fake source.
import { describe, expect, it } from 'vitest';
import { ReaderDesk, readerSettingsSection } from '../../electron/core/readers/desk';
import type { ReaderEvent, ReaderInfo, ReaderSource } from '../../electron/core/readers/types';
import type { Settings } from '../../electron/core/settings';
import type { TapOutcome } from '../../electron/core/enrollment';
import type { QueuedToken } from '../../electron/core/queue';

const ACR: ReaderInfo = { name: 'ACS ACR122U PICC Interface 00 00', kind: 'pcsc' };
const OTHER: ReaderInfo = { name: 'Identiv uTrust 3700 F 00 00', kind: 'pcsc' };

function desk(tap: (uid: string) => TapOutcome) {
  const stored = new Map<string, unknown>();
  const settings = { get: (key: string, fallback: unknown) => stored.get(key) ?? fallback, set: (key: string, value: unknown) => stored.set(key, value) } as unknown as Settings;
  const source: ReaderSource = { kind: 'pcsc', start() {}, stop: async () => {}, readers: () => [ACR, OTHER], on: () => () => {} };
  let now = 1_000_000;
  const readerSettings = readerSettingsSection(settings);
  const d = new ReaderDesk([source], readerSettings, { tap }, { now: () => now, platform: 'win32' });
  const send = (event: ReaderEvent) => d.handle(source, event);
  return { d, readerSettings, send, later: (ms: number) => (now += ms) };
}

describe('the reader desk, for a window in another language', () => {
  it('names why the last card was ignored, a repeat, refused or unreadable', () => {
    const existing = { id: 7, uid: '04A224B2', state: 'pending', customerId: 1001, label: 'FJH-0001', spiriiId: null } as unknown as QueuedToken;
    const { d, readerSettings, send, later } = desk((uid) => ({ status: 'refused', reason: 'duplicate', uid, message: 'Card 04A224B2 is already in the queue (...)', existing }));
    const card = { name: 'MIFARE Classic 1K' } as const;
    readerSettings.update({ reader: OTHER.name });
    send({ type: 'card', reader: ACR, uid: '04A224B2', cardType: 'MIFARE Classic 1K', card: { key: 'named', params: card } });
    expect(d.status().lastCard).toMatchObject({ outcome: 'ignored', card: { key: 'named', params: card }, detail: { key: 'ignored', params: { chosen: OTHER.name } } });

    readerSettings.update({ reader: null, repeatWindowMs: 1500 });
    send({ type: 'card', reader: ACR, uid: '04A224B2', cardType: 'MIFARE Classic 1K' });
    expect(d.status().lastCard).toMatchObject({ outcome: 'refused', detail: { key: 'refused', params: { reason: 'duplicate', existing } } });
    send({ type: 'card-removed', reader: ACR });
    later(500);
    send({ type: 'card', reader: ACR, uid: '04A224B2', cardType: 'MIFARE Classic 1K' });
    expect(d.status().lastCard).toMatchObject({ outcome: 'repeat', message: expect.stringContaining('1.5 s'), detail: { key: 'repeat', params: { seconds: 1.5 } } });

    const unreadable = { key: 'status-word', params: { statusWord: '6300', atr: '3B00' } } as const;
    send({ type: 'unreadable', reader: ACR, message: 'The card did not give its UID', cardType: null, atr: '3B00', statusWord: '6300', card: { key: 'no-atr', params: {} }, detail: unreadable });
    expect(d.status().lastCard).toMatchObject({ outcome: 'unreadable', card: { key: 'no-atr', params: {} }, detail: { key: 'unreadable', params: { unreadable } } });
  });

  it('keeps the error detail and the hint and setup hints by key, for the desk platform', () => {
    const { d, send } = desk(() => {
      throw new Error('no tap here');
    });
    send({ type: 'error', reader: null, message: 'PC/SC service: gone', code: 'SCARD_E_NO_SERVICE', detail: { key: 'service', params: { error: 'gone' } } });
    expect(d.status().lastError).toMatchObject({ code: 'SCARD_E_NO_SERVICE', hintDetail: { key: 'service-win32', params: {} }, hint: expect.stringMatching(/SCardSvr/), detail: { key: 'service', params: { error: 'gone' } } });
    expect(d.status().setup).toEqual(['pcsc-win32', 'wedge']);
    expect(d.status().hints).toHaveLength(2);
  });
});
