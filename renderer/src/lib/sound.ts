/**
 * Short tones for a tap, made with WebAudio (no sound files to ship): a rising pair for a card
 * taken, a low buzz for a refusal, a single mid tone when a label is wanted. Browsers only let a
 * page start audio after a person has interacted with it, so the audio context is made on the
 * first key press or click; until then taps are silent rather than warning in the console.
 */
export type Cue = 'ok' | 'bad' | 'attention';

const NOTES: Record<Cue, { freq: number; at: number; dur: number; type: OscillatorType }[]> = {
  ok: [
    { freq: 880, at: 0, dur: 0.09, type: 'sine' },
    { freq: 1320, at: 0.1, dur: 0.14, type: 'sine' },
  ],
  bad: [
    { freq: 220, at: 0, dur: 0.16, type: 'square' },
    { freq: 180, at: 0.19, dur: 0.24, type: 'square' },
  ],
  attention: [{ freq: 660, at: 0, dur: 0.12, type: 'triangle' }],
};

let context: AudioContext | null = null;

/** Listen for the first interaction, then make the audio context. Returns the stop function. */
export function armSound(): () => void {
  const arm = () => {
    if (!context && typeof AudioContext !== 'undefined') context = new AudioContext();
    stop();
  };
  const stop = () => {
    removeEventListener('keydown', arm, true);
    removeEventListener('pointerdown', arm, true);
  };
  addEventListener('keydown', arm, true);
  addEventListener('pointerdown', arm, true);
  return stop;
}

/** Play a cue; false when there is no audio yet (no interaction so far). */
export function play(cue: Cue): boolean {
  if (!context) return false;
  if (context.state === 'suspended') void context.resume();
  const start = context.currentTime + 0.01;
  for (const note of NOTES[cue]) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = note.type;
    osc.frequency.value = note.freq;
    const t0 = start + note.at;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(cue === 'bad' ? 0.08 : 0.18, t0 + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note.dur);
    osc.connect(gain).connect(context.destination);
    osc.start(t0);
    osc.stop(t0 + note.dur + 0.02);
  }
  return true;
}
