// Deterministic filler bytes: the payloads, file contents and audio samples of the workloads.

/** The host stores a Uint32Array's words little-endian (almost every host does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Fast deterministic bytes from a seed (xorshift32): byte i is the low byte of the i-th state.
 *  On a little-endian host an aligned buffer is written a word (four states) at a time, the
 *  same bytes as one at a time (about 20% faster per 2 KiB block). */
export function fillBytes(out: Uint8Array, seed: number): Uint8Array {
  let s = (seed >>> 0) || 0x9e3779b9;
  const n = out.length;
  let i = 0;
  if (LITTLE_ENDIAN && (out.byteOffset & 3) === 0 && n >= 4) {
    const w = new Uint32Array(out.buffer, out.byteOffset, n >>> 2);
    for (let j = 0; j < w.length; j++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5; let v = s & 0xff;
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5; v |= (s & 0xff) << 8;
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5; v |= (s & 0xff) << 16;
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5; w[j] = v | (s << 24);
    }
    i = w.length << 2;
  }
  for (; i < n; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; out[i] = s & 0xff; }
  return out;
}
