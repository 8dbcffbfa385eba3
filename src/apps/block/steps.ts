// Run callback-style steps one after another; the first error stops the run (as a program
// that checks its system calls exits on the first failure).
import { newBytes } from '../../sim/slab.js';
export type Step = (next: (err?: string) => void) => void;

export function runSteps(steps: readonly Step[], done: (err: string | null) => void): void {
  let i = 0;
  const go = (err?: string): void => {
    if (err) { done(err); return; }
    if (i === steps.length) { done(null); return; }
    steps[i++](go);
  };
  go();
}

/** Deterministic "processing" of input into output (compile, encode): what the oracle recomputes. */
export function transform(input: Uint8Array, outBytes: number, salt: number): Uint8Array {
  const out = newBytes(outBytes);
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < outBytes; i++) {
    h ^= input[i % input.length]; h = Math.imul(h, 0x01000193) >>> 0;
    out[i] = (h >>> 8) & 0xff;
  }
  return out;
}

export { bytesEqual as sameBytes } from '../../sim/memory.js';
