// Battle of Wesnoth-like: open the device once, play short sound effects now and then, and move
// the mixer volume during play. A sound error is ignored (games do not quit over sound). Every
// effect must be heard in order at the volume set when it was played.
import type { SoundWorld } from '../../world/sound-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { MODE_PLAY, SNDCTL } from '../../kernel/soundcore.js';
import { BLOCK_BYTES, Expected, checkPlayback, judgePlayback, playbackSeverity } from './audio.js';
import { openConfigured, playBlocks, bytesPerSecond, AudioSettings } from './dsp.js';

const SETTINGS: AudioSettings = { bits: 16, channels: 2, rate: 22050, volume: 70 };
const EFFECTS = 14;
const BLOCKS_PER_EFFECT = 3;
const EFFECT_INTERVAL_US = 250_000;
const VOLUMES = [70, 50, 90, 60];
const STREAM = 3;

class StrategyGame implements App {
  private readonly w: SoundWorld;
  private readonly expected: Expected[] = [];
  private errors = 0;
  private openError = 0;
  private volume = SETTINGS.volume!;
  private readonly blockUs = (BLOCK_BYTES / bytesPerSecond(SETTINGS)) * 1e6;

  constructor(private readonly c: AppContext) { this.w = c.world as SoundWorld; }

  start(): void {
    const { k } = this.w;
    const f = openConfigured(this.w, MODE_PLAY, SETTINGS);
    if (typeof f === 'number') { this.openError = f; this.c.finish(); return; }
    const seed = this.c.rng.int(0x7fffffff);
    const effect = (n: number): void => {
      if (n === EFFECTS) { k.sched.schedule(200_000, 'drain', () => { f.close(); this.c.finish(); }); return; }
      if (n > 0 && n % 4 === 0) {
        const v = VOLUMES[(n / 4) % VOLUMES.length];
        if (f.ioctl(SNDCTL.SET_VOLUME, v) >= 0) this.volume = v; else this.errors++;
      }
      playBlocks(f, STREAM, seed, n * BLOCKS_PER_EFFECT, BLOCKS_PER_EFFECT, SETTINGS, () => this.volume, this.expected,
        () => { this.errors++; }, () => {});
      k.sched.schedule(EFFECT_INTERVAL_US + this.c.rng.int(50_000), 'game-effect', () => effect(n + 1));
    };
    effect(0);
  }

  private checked: ReturnType<typeof checkPlayback> | null = null;
  /** What the speaker played, judged once (the run is over when this is asked). */
  private check() { return (this.checked ??= checkPlayback(this.w.card.played, STREAM, this.expected, this.blockUs)); }

  verdict(): AppVerdict {
    if (this.openError) return { outcome: 'app-failed', reason: `could not open or configure /dev/dsp (${this.openError})` };
    const check = this.check();
    const problem = judgePlayback(check, this.w.k.params.oracleAudioLossUs);
    if (problem) return { outcome: 'malfunction', reason: `${problem}${this.errors ? `; ${this.errors} sound calls failed` : ''}` };
    return { outcome: 'correct', reason: `${EFFECTS} effects heard at the volume set` };
  }

  metrics(): Record<string, number> { return { effects: EFFECTS, ...playbackSeverity(this.check()), errors: this.errors }; }
}

export const strategyGame: AppModule = {
  id: 'strategy-game', driverClass: 'sound',
  description: 'strategy game (Battle of Wesnoth): sporadic sound effects and mixer changes',
  create: (c) => new StrategyGame(c),
};
