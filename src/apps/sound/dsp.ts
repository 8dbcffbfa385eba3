// Helpers for apps that use /dev/dsp: open and configure, and play a list of blocks.
import { SoundFile, SNDCTL, MODE_PLAY } from '../../kernel/soundcore.js';
import type { SoundWorld } from '../../world/sound-world.js';
import { fmtValue } from '../../devices/soundcard.js';
import { audioBlock, Expected } from './audio.js';

export interface AudioSettings { bits: number; channels: number; rate: number; volume?: number }

/** Open and configure; a negative number is the first error. */
export function openConfigured(w: SoundWorld, mode: number, s: AudioSettings): SoundFile | number {
  const f = w.snd.open(mode);
  if (typeof f === 'number') return f;
  const steps: Array<[number, number]> = [[SNDCTL.SET_FORMAT, s.bits], [SNDCTL.SET_CHANNELS, s.channels], [SNDCTL.SET_RATE, s.rate]];
  if (s.volume !== undefined) steps.push([SNDCTL.SET_VOLUME, s.volume]);
  for (const [cmd, arg] of steps) {
    const r = f.ioctl(cmd, arg);
    if (r < 0) { f.close(); return r; }
  }
  return f;
}

export const bytesPerSecond = (s: AudioSettings): number => s.rate * (s.bits / 8) * s.channels;

/**
 * Write blocks `first..first+count-1` of `stream` one after another (each write blocks until
 * the driver takes it). Errors are counted and the block skipped, as players do. Records what
 * each block should sound like.
 */
export function playBlocks(f: SoundFile, stream: number, seed: number, first: number, count: number, s: AudioSettings,
  volume: () => number, expected: Expected[], onError: (r: number) => void, done: () => void): void {
  let i = 0;
  const next = (): void => {
    if (i === count) { done(); return; }
    const seq = first + i++;
    const data = audioBlock(stream, seq, seed);
    expected.push({ seq, fmt: fmtValue(s.bits, s.channels), rate: s.rate, volume: volume(), data });
    f.write(data, (r) => { if (r < 0) onError(r); next(); });
  };
  next();
}

export { MODE_PLAY };
