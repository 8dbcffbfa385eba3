// Deterministic filler bytes: the payloads, file contents and samples of the workloads.

/** The host stores a Uint32Array's words little-endian (almost every host does). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Fast deterministic bytes from a seed (xorshift32): one state per 32-bit little-endian word, so
 *  byte i is byte i mod 4 of the (i div 4 + 1)-th state (a partial last word takes the low bytes
 *  of one more state). A state per word rather than per byte is 4x fewer steps: workloads fill
 *  megabytes per trial. An aligned buffer on a little-endian host is written as words; any other
 *  buffer byte by byte, to the same bytes. */
export function fillBytes(out: Uint8Array, seed: number): Uint8Array {
  let s = (seed >>> 0) || 0x9e3779b9;
  const n = out.length, words = n >>> 2;
  if (LITTLE_ENDIAN && (out.byteOffset & 3) === 0) {
    const w = new Uint32Array(out.buffer, out.byteOffset, words);
    for (let j = 0; j < words; j++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; w[j] = s; }
  } else {
    for (let j = 0; j < words; j++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      const i = j << 2;
      out[i] = s; out[i + 1] = s >>> 8; out[i + 2] = s >>> 16; out[i + 3] = s >>> 24;
    }
  }
  if (n & 3) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    for (let i = words << 2, k = 0; i < n; i++, k += 8) out[i] = s >>> k;
  }
  return out;
}
