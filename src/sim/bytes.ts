// Deterministic filler bytes: the payloads, file contents and samples of the workloads.

/** The host stores a Uint32Array's words little-endian (almost every host does). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Fast deterministic bytes from a seed (xorshift32): one state per 32-bit little-endian word, so
 *  byte i is byte i mod 4 of the (i div 4 + 1)-th state (a partial last word takes the low bytes
 *  of one more state). A state per word rather than per byte is 4x fewer steps: workloads fill
 *  megabytes per trial. An aligned buffer on a little-endian host is written as words; any other
 *  buffer byte by byte, to the same bytes. */
export function fillBytes(out: Uint8Array, seed: number): Uint8Array {
  const n = out.length, words = n >>> 2, s0 = (seed >>> 0) || 0x9e3779b9;
  const s = LITTLE_ENDIAN && (out.byteOffset & 3) === 0 ? fillWords(out, words, s0) : fillWordsByteWise(out, words, s0);
  if ((n & 3) !== 0) fillTail(out, words << 2, s);
  return out;
}

// The loops are functions of their own: V8 first optimises a loop on the stack, and later calls
// enter that code at the loop; code after the loop in the same function never ran in the
// interpreter, had no type feedback, and sent every such call back to the interpreter (46 soft
// deopts per 3960 trials, seen with --trace-deopt).

/** Whole 32-bit words in host order (little-endian, aligned); the generator's last state. */
function fillWords(out: Uint8Array, words: number, s: number): number {
  const w = new Uint32Array(out.buffer, out.byteOffset, words);
  for (let j = 0; j < words; j++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; w[j] = s; }
  return s;
}

/** The same words written byte by byte, least significant first. */
function fillWordsByteWise(out: Uint8Array, words: number, s: number): number {
  for (let j = 0; j < words; j++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const i = j << 2;
    out[i] = s; out[i + 1] = s >>> 8; out[i + 2] = s >>> 16; out[i + 3] = s >>> 24;
  }
  return s;
}

/** The last 1-3 bytes: one more word, least significant bytes first. */
function fillTail(out: Uint8Array, from: number, s: number): void {
  s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
  for (let i = from, k = 0; i < out.length; i++, k += 8) out[i] = s >>> k;
}
