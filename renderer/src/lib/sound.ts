/**
 * Short tones for the desk, made with WebAudio (no sound files to ship), one per outcome so a
 * clerk with eyes on the card box knows what happened: a rising pair for a card saved here, a low
 * buzz for a card refused here, a single mid tone when a label is wanted, a falling three-note
 * alarm when Spirii later refuses a card already saved, and a rising run when a batch is done.
 * The Electron shell lets the window play audio without a user gesture (autoplayPolicy), so the
 * audio context is made at once and the first tap is heard; where a browser still insists on a
 * gesture, the context is made again on the first key press or click, and until then taps are
 * silent (play returns false) rather than warning in the console.
 */
export type Cue = 'ok' | 'bad' | 'attention' | 'spirii-refused' | 'done';

type Note = { freq: number; at: number; dur: number; type: OscillatorType };

const NOTES: Record<Cue, Note[]> = {
  ok: [
    { freq: 880, at: 0, dur: 0.09, type: 'sine' },
    { freq: 1320, at: 0.1, dur: 0.14, type: 'sine' },
  ],
  bad: [
    { freq: 220, at: 0, dur: 0.16, type: 'square' },
    { freq: 180, at: 0.19, dur: 0.24, type: 'square' },
  ],
  attention: [{ freq: 660, at: 0, dur: 0.12, type: 'triangle' }],
  'spirii-refused': [
    { freq: 990, at: 0, dur: 0.14, type: 'sawtooth' },
    { freq: 660, at: 0.17, dur: 0.14, type: 'sawtooth' },
    { freq: 440, at: 0.34, dur: 0.3, type: 'sawtooth' },
  ],
  done: [
    { freq: 660, at: 0, dur: 0.1, type: 'sine' },
    { freq: 880, at: 0.11, dur: 0.1, type: 'sine' },
    { freq: 1100, at: 0.22, dur: 0.1, type: 'sine' },
    { freq: 1320, at: 0.33, dur: 0.26, type: 'sine' },
  ],
};

let context: AudioContext | null = null;

function running(): boolean {
  return context !== null && context.state === 'running';
}

/** Make the audio context now (heard from the first tap where autoplay is allowed), and again on the first interaction if it starts suspended. Returns the stop function. */
export function armSound(): () => void {
  if (!context && typeof AudioContext !== 'undefined') context = new AudioContext();
  const arm = () => {
    // A context made before any gesture stays suspended in a browser that needs one: make it anew inside the gesture.
    if (!running() && typeof AudioContext !== 'undefined') {
      void context?.close();
      context = new AudioContext();
    }
    stop();
  };
  const stop = () => {
    removeEventListener('keydown', arm, true);
    removeEventListener('pointerdown', arm, true);
  };
  if (running()) return stop;
  addEventListener('keydown', arm, true);
  addEventListener('pointerdown', arm, true);
  return stop;
}

/** Play a cue; false when audio is not allowed yet (no interaction so far, where one is needed). */
export function play(cue: Cue): boolean {
  if (!context || !running()) return false;
  const start = context.currentTime + 0.01;
  for (const note of NOTES[cue]) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = note.type;
    osc.frequency.value = note.freq;
    const t0 = start + note.at;
    const loud = cue === 'bad' || cue === 'spirii-refused' ? 0.08 : 0.18;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(loud, t0 + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note.dur);
    osc.connect(gain).connect(context.destination);
    osc.start(t0);
    osc.stop(t0 + note.dur + 0.02);
  }
  return true;
}
