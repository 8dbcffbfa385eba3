// zinf-like: open the device once, set 16-bit stereo 44.1 kHz and a volume, and play a 128 kb/s
// stream decoded to PCM continuously. A write error is skipped (players drop frames rather than
// quit). The speaker's record decides: every block heard, in order, with the format, rate and
// volume the player set, and no hole longer than the tolerance.
import type { SoundWorld } from '../../world/sound-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { MODE_PLAY } from '../../kernel/soundcore.js';
import { BLOCK_BYTES, Expected, checkPlayback, judgePlayback, playbackSeverity } from './audio.js';
import { openConfigured, playBlocks, bytesPerSecond, AudioSettings } from './dsp.js';

const SETTINGS: AudioSettings = { bits: 16, channels: 2, rate: 44100, volume: 80 };
const SECONDS = 3;
const STREAM = 1;

class Mp3Player implements App {
  private readonly w: SoundWorld;
  private readonly expected: Expected[] = [];
  private writeErrors = 0;
  private openError = 0;
  private readonly blockUs = (BLOCK_BYTES / bytesPerSecond(SETTINGS)) * 1e6;

  constructor(private readonly c: AppContext) { this.w = c.world as SoundWorld; }

  start(): void {
    const { k } = this.w;
    const f = openConfigured(this.w, MODE_PLAY, SETTINGS);
    if (typeof f === 'number') { this.openError = f; this.c.finish(); return; }
    const blocks = Math.ceil((SECONDS * bytesPerSecond(SETTINGS)) / BLOCK_BYTES);
    playBlocks(f, STREAM, this.c.rng.int(0x7fffffff), 0, blocks, SETTINGS, () => SETTINGS.volume!, this.expected,
      (r) => { if (this.writeErrors++ === 0) k.log('app', `mp3-player: write failed (${r}); skipping`); },
      () => k.sched.schedule(200_000, 'drain', () => { f.close(); this.c.finish(); }));
  }

  private checked: ReturnType<typeof checkPlayback> | null = null;
  /** What the speaker played, judged once (the run is over when this is asked). */
  private check() { return (this.checked ??= checkPlayback(this.w.card.played, STREAM, this.expected, this.blockUs)); }

  verdict(): AppVerdict {
    if (this.openError) return { outcome: 'app-failed', reason: `could not open or configure /dev/dsp (${this.openError})` };
    const check = this.check();
    const problem = judgePlayback(check, this.w.k.params.oracleAudioLossUs);
    if (problem) return { outcome: 'malfunction', reason: `${problem}${this.writeErrors ? `; ${this.writeErrors} writes failed` : ''}` };
    return { outcome: 'correct', reason: `${check.played}/${this.expected.length} blocks played in order with the right settings` };
  }

  metrics(): Record<string, number> {
    const c = this.check();
    return { blocks: this.expected.length, ...playbackSeverity(c), writeErrors: this.writeErrors, ...(c.repeated ? { playedTwice: c.repeated } : {}) };
  }
}

export const mp3Player: AppModule = {
  id: 'mp3-player', driverClass: 'sound',
  description: 'mp3 player (zinf): continuous 128 kb/s playback; no gap beyond tolerance; format and volume intact',
  create: (c) => new Mp3Player(c),
};
