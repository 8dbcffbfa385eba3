// audacity-like: record from the microphone at 16-bit stereo 44.1 kHz for a few seconds. The
// microphone stamps each period it hears with a sequence number and the settings the card was
// capturing with; the recording must be continuous (holes within tolerance), intact, and at
// the settings the recorder asked for. A read error is retried after a period, as a recorder
// polling its device would.
import type { SoundWorld } from '../../world/sound-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { MODE_CAPTURE } from '../../kernel/soundcore.js';
import { fmtValue } from '../../devices/soundcard.js';
import { BLOCK_BYTES, audioBlock, decodeKnown } from './audio.js';
import { openConfigured, bytesPerSecond, AudioSettings } from './dsp.js';
import { sameBytes } from '../block/steps.js';
import { bytesToOverwrite, newBytes } from '../../sim/slab.js';
import { young } from '../../sim/young.js';

const SETTINGS: AudioSettings = { bits: 16, channels: 2, rate: 44100 };
const SECONDS = 3;
const MIC_STREAM = 7;

class AudioRecorder implements App {
  private readonly w: SoundWorld;
  private readonly got: Array<{ seq: number; settingsOk: boolean }> = [];
  private readErrors = 0;
  private openError = 0;
  private corrupted = 0;
  private pending = newBytes(0);
  private readonly blockUs = (BLOCK_BYTES / bytesPerSecond(SETTINGS)) * 1e6;

  constructor(private readonly c: AppContext) {
    this.w = c.world as SoundWorld;
    const seed = c.rng.int(0x7fffffff);
    // The microphone hears stamped audio: stream, sequence, and the card's settings at capture.
    const asked = fmtValue(SETTINGS.bits, SETTINGS.channels) ^ SETTINGS.rate;
    this.w.card.microphone = young((seq: number, bytes: number, fmt: number, rate: number) => {
      const b = audioBlock(MIC_STREAM, seq, seed ^ fmt ^ rate);
      if ((fmt ^ rate) === asked) this.remember(seq, b);
      return bytes === BLOCK_BYTES ? b : b.slice(0, Math.min(bytes, BLOCK_BYTES));
    });
    this.seed = seed;
  }
  private readonly seed: number;

  /** The microphone's latest blocks at the asked settings, by sequence: what `take` compares a
   *  recorded block with, without generating it again (a recorder that stopped reading lets
   *  thousands pass, hence the bound). */
  private readonly heard = new Map<number, Uint8Array>();
  private remember(seq: number, b: Uint8Array): void {
    this.heard.set(seq, b);
    if (this.heard.size > 256) this.heard.delete(this.heard.keys().next().value!);
  }

  start(): void {
    const { k } = this.w;
    const f = openConfigured(this.w, MODE_CAPTURE, SETTINGS);
    if (typeof f === 'number') { this.openError = f; this.c.finish(); return; }
    const endUs = k.now + SECONDS * 1e6;
    const wanted = Math.ceil((SECONDS * 1e6) / this.blockUs);
    const loop = (): void => {
      // Record the duration asked for, counted in blocks and capped in time.
      if (k.now >= endUs || this.got.length + this.corrupted >= wanted) { f.close(); this.c.finish(); return; }
      f.read(BLOCK_BYTES, (r, data) => {
        if (r < 0) {
          if (this.readErrors++ === 0) k.log('app', `audio-recorder: read failed (${r}); retrying`);
          k.sched.schedule(Math.round(this.blockUs), 'recorder-retry', loop);
          return;
        }
        this.take(data);
        loop();
      });
    };
    loop();
  }

  /** Reassemble blocks from what reads returned, and judge each against the microphone's truth. */
  private take(data: Uint8Array): void {
    const all = bytesToOverwrite(this.pending.length + data.length);
    all.set(this.pending); all.set(data, this.pending.length);
    let off = 0;
    for (; off + BLOCK_BYTES <= all.length; off += BLOCK_BYTES) {
      const block = all.subarray(off, off + BLOCK_BYTES);
      const d = decodeKnown(block, (seq) => this.heard.get(seq));
      if (!d || d.stream !== MIC_STREAM) { this.corrupted++; continue; }
      const asked = this.heard.get(d.seq) ?? audioBlock(MIC_STREAM, d.seq, this.seed ^ fmtValue(SETTINGS.bits, SETTINGS.channels) ^ SETTINGS.rate);
      this.got.push({ seq: d.seq, settingsOk: sameBytes(block, asked) });
    }
    this.pending = all.slice(off);
  }

  verdict(): AppVerdict {
    if (this.openError) return { outcome: 'app-failed', reason: `could not open or configure /dev/dsp for capture (${this.openError})` };
    if (this.corrupted > 0) return { outcome: 'malfunction', reason: `${this.corrupted} recorded blocks were corrupted` };
    const wrong = this.got.filter((g) => !g.settingsOk).length;
    if (wrong > 0) return { outcome: 'malfunction', reason: `${wrong} blocks recorded with the wrong format or rate` };
    const expectedBlocks = Math.floor((SECONDS * 1e6) / this.blockUs);
    let longest = 0;
    for (let i = 1; i < this.got.length; i++) longest = Math.max(longest, (this.got[i].seq - this.got[i - 1].seq - 1) * this.blockUs);
    // The last period may still be in flight when the recorder stops.
    const tolerance = this.c.world.k.params.oracleCaptureHoleUs;
    if (this.got.length < expectedBlocks - 2 - tolerance / this.blockUs) {
      return { outcome: 'malfunction', reason: `recorded ${this.got.length} of ${expectedBlocks} blocks${this.readErrors ? `; ${this.readErrors} reads failed` : ''}` };
    }
    if (longest > tolerance) return { outcome: 'malfunction', reason: `the recording has a ${(longest / 1000).toFixed(0)} ms hole` };
    return { outcome: 'correct', reason: `recorded ${this.got.length} blocks; longest hole ${(longest / 1000).toFixed(0)} ms` };
  }

  metrics(): Record<string, number> {
    const twice = this.got.length - new Set(this.got.map((g) => g.seq)).size;
    return { blocks: this.got.length, readErrors: this.readErrors, ...(twice ? { recordedTwice: twice } : {}) };
  }
}

export const audioRecorder: AppModule = {
  id: 'audio-recorder', driverClass: 'sound',
  description: 'audio recorder (audacity): capture from the microphone; continuous, intact, at the asked format',
  create: (c) => new AudioRecorder(c),
};
