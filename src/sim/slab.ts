// Byte arrays for the simulation's data in flight (frames, segments, audio blocks, sectors),
// cut from shared slabs. A `new Uint8Array(n)` above 64 bytes is an ArrayBuffer of its own,
// allocated outside V8's heap: about 1.3 us each on this machine (a 2 KiB copy costs 0.05 us),
// and their external memory drives full collections. A view into a 256 KiB slab costs about
// 0.1 us. Every view is zeroed (a slab is fresh memory, never handed out twice) and 8-byte
// aligned (fillBytes writes aligned words). A slab is freed when the last view into it is;
// trials are synchronous, so nothing a trial keeps outlives it unless it is stored globally.
// Views share an ArrayBuffer: code must use `byteOffset` (never `new DataView(x.buffer)` alone).

const SLAB_BYTES = 256 * 1024;
/** Larger arrays get their own buffer: a slab would hold few of them. */
const MAX_FROM_SLAB = 16 * 1024;

let slab = new Uint8Array(0);
let used = 0;

/** A zeroed byte array of length `n`. */
export function newBytes(n: number): Uint8Array {
  if (n > MAX_FROM_SLAB) return new Uint8Array(n);
  if (used + n > slab.length) { slab = new Uint8Array(SLAB_BYTES); used = 0; }
  const out = slab.subarray(used, used + n);
  used += (n + 7) & ~7;
  return out;
}

/** A copy of `src` (what `src.slice()` returns, from a slab). */
export function copyBytes(src: Uint8Array): Uint8Array {
  const out = newBytes(src.length);
  out.set(src);
  return out;
}

/** A DataView over exactly the bytes of `b` (wherever its buffer starts). */
export const viewOf = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
