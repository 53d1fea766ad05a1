// Telling a keyboard-wedge reader from a person by key timing, on recorded timings: a reader
// types a key every 1-20 ms, a person every 80-300 ms.
import { describe, expect, it } from 'vitest';
import { WedgeDetector } from '../../renderer/src/lib/wedge';

function play(detector: WedgeDetector, keys: string[], times: number[]): (string | null)[] {
  return keys.map((key, i) => detector.key(key, times[i]!)).filter((r) => r !== null);
}

const every = (start: number, gap: number, n: number) => Array.from({ length: n }, (_, i) => start + i * gap);

describe('WedgeDetector', () => {
  it('returns what a reader typed at reader speed, Enter included', () => {
    const keys = [...'2158232226', 'Enter'];
    expect(play(new WedgeDetector(), keys, every(1000, 8, keys.length))).toEqual(['2158232226']);
  });

  it('ignores a person typing the same keys', () => {
    const keys = [...'2158232226', 'Enter'];
    expect(play(new WedgeDetector(), keys, every(1000, 140, keys.length))).toEqual([]);
  });

  it('starts over after a pause, and never keeps a person\'s keys in front of a reader\'s', () => {
    const d = new WedgeDetector();
    const keys = [...'12', ...'04A224B2', 'Enter'];
    const times = [1000, 1150, ...every(2000, 6, 9)];
    expect(play(d, keys, times)).toEqual(['04A224B2']);
  });

  it('needs a few characters and breaks on keys a UID never has', () => {
    const d = new WedgeDetector();
    expect(play(d, ['1', '2', 'Enter'], [0, 5, 10])).toEqual([]);
    expect(play(d, [...'04A2', 'Shift', ...'24B2', 'Enter'], every(100, 5, 10))).toEqual(['24B2']);
  });
});
