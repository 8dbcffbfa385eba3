// festival-like: speak a text sentence by sentence. For each sentence it opens /dev/dsp, sets
// 16-bit mono 22.05 kHz, writes the sentence, lets it drain, and closes. A write error ends the
// current sentence (festival reports it and goes on with the next one). Every sentence must be
// heard whole, at the right settings and the mixer level the system boots with (festival never
// touches the mixer).
import type { SoundWorld } from '../../world/sound-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { MODE_PLAY, BOOT_VOLUME } from '../../kernel/soundcore.js';
import { BLOCK_BYTES, Expected, checkPlayback, judgePlayback, playbackSeverity } from './audio.js';
import { openConfigured, playBlocks, bytesPerSecond, AudioSettings } from './dsp.js';

const SETTINGS: AudioSettings = { bits: 16, channels: 1, rate: 22050 };
const SENTENCES = 5;
const BLOCKS_PER_SENTENCE = 12;
const PAUSE_US = 300_000;
const STREAM = 2;

class SpeechSynthesizer implements App {
  private readonly w: SoundWorld;
  private readonly expected: Expected[] = [];
  private errors: string[] = [];
  private readonly blockUs = (BLOCK_BYTES / bytesPerSecond(SETTINGS)) * 1e6;

  constructor(private readonly c: AppContext) { this.w = c.world as SoundWorld; }

  start(): void {
    const { k } = this.w;
    const seed = this.c.rng.int(0x7fffffff);
    const sentence = (n: number): void => {
      if (n === SENTENCES) { this.c.finish(); return; }
      const next = () => k.sched.schedule(PAUSE_US, 'next-sentence', () => sentence(n + 1));
      const f = openConfigured(this.w, MODE_PLAY, SETTINGS);
      if (typeof f === 'number') { this.errors.push(`sentence ${n}: open failed (${f})`); next(); return; }
      let failed = false;
      playBlocks(f, STREAM, seed, n * BLOCKS_PER_SENTENCE, BLOCKS_PER_SENTENCE, SETTINGS, () => BOOT_VOLUME, this.expected,
        (r) => { if (!failed) { failed = true; this.errors.push(`sentence ${n}: write failed (${r})`); } },
        () => k.sched.schedule(150_000, 'drain', () => { f.close(); next(); }));
    };
    sentence(0);
  }

  private checked: ReturnType<typeof checkPlayback> | null = null;
  /** What the speaker played, judged once (the run is over when this is asked). */
  private check() { return (this.checked ??= checkPlayback(this.w.card.played, STREAM, this.expected, this.blockUs)); }

  verdict(): AppVerdict {
    const check = this.check();
    const problem = judgePlayback(check, this.w.k.params.oracleAudioLossUs);
    if (problem) return { outcome: 'malfunction', reason: `${problem}${this.errors.length ? `; ${this.errors[0]}` : ''}` };
    if (this.expected.length < SENTENCES * BLOCKS_PER_SENTENCE) return { outcome: 'malfunction', reason: this.errors[0] ?? 'sentences missing' };
    return { outcome: 'correct', reason: `${SENTENCES} sentences heard whole` };
  }

  metrics(): Record<string, number> { return { sentences: SENTENCES, ...playbackSeverity(this.check()), errors: this.errors.length }; }
}

export const speechSynthesizer: AppModule = {
  id: 'speech-synthesizer', driverClass: 'sound',
  description: 'speech synthesizer (festival): bursty playback, one open per sentence',
  create: (c) => new SpeechSynthesizer(c),
};
