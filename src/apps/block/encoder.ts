// LAME-like: stream a large .wav in, encode each chunk (CPU), write the .mp3 out; then sync
// and check the output against what the encoder produced.
import type { BlockWorld } from '../../world/block-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { fillBytes } from '../types.js';
import { runSteps, Step, transform, sameBytes } from './steps.js';
import { bytesToOverwrite, newBytes } from '../../sim/slab.js';

const INPUT_BYTES = 256 * 1024, CHUNK_BYTES = 16 * 1024, OUT_CHUNK = 2048, ENCODE_US = 2000;

class Encoder implements App {
  private readonly w: BlockWorld;
  private readonly input: Uint8Array;
  private error: string | null = null;
  private wrong = false;
  private chunksDone = 0;

  constructor(private readonly c: AppContext) {
    this.w = c.world as BlockWorld;
    this.input = fillBytes(bytesToOverwrite(INPUT_BYTES), c.rng.int(0x7fffffff));
    this.w.fs.install((n, d) => this.w.install(n, d), 'song.wav', this.input);
  }

  private expected(): Uint8Array {
    const out = newBytes((INPUT_BYTES / CHUNK_BYTES) * OUT_CHUNK);
    for (let i = 0; i * CHUNK_BYTES < INPUT_BYTES; i++) out.set(transform(this.input.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), OUT_CHUNK, i), i * OUT_CHUNK);
    return out;
  }

  start(): void {
    const { fs, k } = this.w;
    const chunks = INPUT_BYTES / CHUNK_BYTES;
    const steps: Step[] = [(next) => next(fs.create('song.mp3', chunks * OUT_CHUNK) < 0 ? 'lame: cannot create song.mp3' : undefined)];
    for (let i = 0; i < chunks; i++) {
      steps.push((next) => fs.read('song.wav', i * CHUNK_BYTES, CHUNK_BYTES, (r, data) => {
        if (r < 0) return next(`lame: read error (${r})`);
        k.sched.schedule(ENCODE_US, 'encode', () => fs.write('song.mp3', i * OUT_CHUNK, transform(data, OUT_CHUNK, i), (w) => {
          if (w < 0) return next(`lame: write error (${w})`);
          this.chunksDone++;
          next();
        }));
      }));
    }
    steps.push((next) => fs.fsync('song.mp3', (r) => next(r < 0 ? `lame: sync failed (${r})` : undefined)));
    steps.push((next) => fs.read('song.mp3', 0, chunks * OUT_CHUNK, (r, data) => {
      if (r < 0) return next(`check: read error (${r})`);
      this.wrong = !sameBytes(data, this.expected());
      next();
    }));
    runSteps(steps, (err) => { this.error = err; if (err) k.log('app', err); this.c.finish(); });
  }

  verdict(): AppVerdict {
    if (this.error) return { outcome: 'app-failed', reason: this.error };
    if (this.wrong) return { outcome: 'malfunction', reason: 'the encoded file differs from what the encoder produced' };
    return { outcome: 'correct', reason: `${this.chunksDone} chunks encoded; output verified` };
  }

  metrics(): Record<string, number> { return { chunks: this.chunksDone }; }
}

export const encoder: AppModule = {
  id: 'encoder', driverClass: 'block',
  description: 'encoder (LAME): stream a large file in, write the encoded output, verify it',
  create: (c) => new Encoder(c),
};
