// Byte arrays for the simulation's data in flight (frames, segments, audio blocks, sectors),
// cut from shared slabs. A `new Uint8Array(n)` above 64 bytes is an ArrayBuffer of its own,
// allocated outside V8's heap: about 1.3 us each on this machine (a 2 KiB copy costs 0.05 us),
// and their external memory drives full collections. A view into a 256 KiB slab costs about
// 0.1 us. Every view is zeroed (a slab is fresh memory, never handed out twice) and 8-byte
// aligned (fillBytes writes aligned words). A slab is freed when the last view into it is;
// trials are synchronous, so nothing a trial keeps outlives it unless it is stored globally.
// Views share an ArrayBuffer: code must use `byteOffset` (never `new DataView(x.buffer)` alone).
//
// Inside a trial (`inTrialScope`, which runTrial uses) slabs come from a pool that the next trial
// reuses, zeroed: a trial's bytes do not outlive it (a record holds none; the 2 MiB machine
// memory is recycled the same way), and a fresh 256 KiB buffer per slab made the collector run
// for external memory pressure, several % of a sweep's CPU. Bytes made outside any trial get
// slabs of their own, which nothing reuses.

const SLAB_BYTES = 256 * 1024;
/** Larger arrays get their own buffer: a slab would hold few of them. */
const MAX_FROM_SLAB = 16 * 1024;
/** Slabs kept for reuse (4 MiB: most trials need less; 16 MiB collected no less often); a trial
 *  that needs more gets further ones unpooled. */
const POOL_SLABS = 16;

let slab = new Uint8Array(0);
let used = 0;
const pool: Uint8Array[] = [];
/** Trial scopes entered and not yet left (the profile's run nests in its trial's). */
let depth = 0;
/** The next pooled slab to hand out in this trial. */
let nextPooled = 0;

function freshSlab(): Uint8Array {
  if (depth > 0 && nextPooled < POOL_SLABS) {
    if (nextPooled < pool.length) { const s = pool[nextPooled++]; s.fill(0); return s; }
    const s = new Uint8Array(SLAB_BYTES);
    pool.push(s); nextPooled++;
    return s;
  }
  return new Uint8Array(SLAB_BYTES);
}

/** Run a trial: on entry (outermost) the pool is handed out again from its first slab, so no
 *  byte array made by an earlier trial may be used after this starts. */
export function inTrialScope<T>(fn: () => T): T {
  if (depth === 0) { nextPooled = 0; slab = new Uint8Array(0); used = 0; }
  depth++;
  try { return fn(); } finally {
    depth--;
    // Bytes made between trials must not land in a pooled slab the next trial reuses.
    if (depth === 0) { slab = new Uint8Array(0); used = 0; }
  }
}

/** A zeroed byte array of length `n`. */
export function newBytes(n: number): Uint8Array {
  if (n > MAX_FROM_SLAB) return new Uint8Array(n);
  if (used + n > slab.length) { slab = freshSlab(); used = 0; }
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
