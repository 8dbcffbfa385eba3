// Byte arrays for the simulation's data in flight (frames, segments, audio blocks, sectors),
// cut from shared slabs. A `new Uint8Array(n)` above 64 bytes is an ArrayBuffer of its own,
// allocated outside V8's heap: about 1.3 us each on this machine (a 2 KiB copy costs 0.05 us),
// and their external memory drives full collections. A view into a 256 KiB slab costs about
// 0.1 us. Views are 8-byte aligned (fillBytes writes aligned words). A slab is freed when the
// last view into it is; trials are synchronous, so nothing a trial keeps outlives it unless it is
// stored globally. Views share an ArrayBuffer: code must use `byteOffset` (never
// `new DataView(x.buffer)` alone).
//
// Inside a trial (`inTrialScope`, which runTrial uses) slabs come from a pool that the next trial
// reuses: a trial's bytes do not outlive it (a record holds none; the 2 MiB machine memory is
// recycled the same way), and a fresh 256 KiB buffer per slab made the collector run for external
// memory pressure and cost a page fault per 4 KiB (a sound trial uses up to 89 slabs). Bytes made
// outside any trial get slabs of their own, which nothing reuses.
//
// Zeroing: `newBytes` zeroes the view it returns; `bytesToOverwrite` does not, for callers that
// write every byte before anyone reads one (copies, DMA fetches, generated audio blocks). A reused
// slab was zeroed whole when handed out before (16,000 slabs, 4 GB per 3960 fault-injection trials,
// plus 1.7 GB of fresh ones past the pool: 17% of a worker's CPU in a profile); now only what a
// `newBytes` caller gets is cleared. The memory bandwidth this saves is shared by the workers.
// A caller of `bytesToOverwrite` that leaves a byte unwritten would leak an earlier trial's byte
// into this one: `poisonReusedSlabs` (tests) fills reused slabs with a pattern, so such a byte
// differs between two runs of a trial with two patterns (test/slab.test.ts).

const SLAB_BYTES = 256 * 1024;
/** Larger arrays get a slab to themselves (in a trial, up to a slab's size) or a buffer of their
 *  own: a slab would hold few of them. */
const MAX_FROM_SLAB = 16 * 1024;
/** Slabs kept for reuse: up to 32 MiB per thread, grown only as far as a trial has needed. In the
 *  fault-injection mix most trials need 16 or fewer, but sound trials whose card plays or records
 *  to the deadline need 81-89 (20-22 MiB), and with a 4 MiB pool those came fresh: 4700 new
 *  256 KiB buffers per 3960 trials, each zeroed by the allocator and faulted in page by page by
 *  the kernel (a 1-worker sweep: 212,000 page faults, 1.7 s of system time; with this pool 48,000
 *  and 0.5 s). A trial that needs more gets further ones unpooled. */
const POOL_SLABS = 128;

let slab = new Uint8Array(0);
let used = 0;
/** The current slab held bytes of an earlier trial (a reused pooled slab). */
let dirty = false;
/** The view `cut` returned last lies in such a slab: newBytes clears it. */
let cutDirty = false;
/** Tests: the byte every reused slab is filled with, and the views bytesToOverwrite handed out. */
let poison: { pattern: number; views: Uint8Array[] } | null = null;
const pool: Uint8Array[] = [];
/** Trial scopes entered and not yet left (the profile's run nests in its trial's). */
let depth = 0;
/** The next pooled slab to hand out in this trial. */
let nextPooled = 0;
/** Whether the slab `pooledSlab` returned last holds an earlier trial's bytes. */
let takenReused = false;

/** The trial's next pooled slab (grown into the pool if it was never made), or null outside a
 *  trial or past the pool. */
function pooledSlab(): Uint8Array | null {
  takenReused = false;
  if (depth === 0 || nextPooled >= POOL_SLABS) return null;
  if (nextPooled < pool.length) {
    const s = pool[nextPooled++];
    takenReused = true;
    if (poison) s.fill(poison.pattern);
    return s;
  }
  const s = new Uint8Array(SLAB_BYTES);
  pool.push(s); nextPooled++;
  return s;
}

/** Tests: fill every reused slab with `pattern` when it is handed out again (null: stop), and
 *  collect the views `bytesToOverwrite` hands out (returned; filled as they are made). The same
 *  trial run with two patterns must leave the same bytes in them: a byte that differs was never
 *  written by the caller. */
export function poisonReusedSlabs(pattern: number | null): Uint8Array[] {
  poison = pattern === null ? null : { pattern, views: [] };
  return poison?.views ?? [];
}

/** Run a trial: on entry (outermost) the pool is handed out again from its first slab, so no
 *  byte array made by an earlier trial may be used after this starts. */
export function inTrialScope<T>(fn: () => T): T {
  if (depth === 0) { nextPooled = 0; slab = new Uint8Array(0); used = 0; dirty = false; }
  depth++;
  try { return fn(); } finally {
    depth--;
    // Bytes made between trials must not land in a pooled slab the next trial reuses.
    if (depth === 0) { slab = new Uint8Array(0); used = 0; dirty = false; }
  }
}

/** A zeroed byte array of length `n`. */
export function newBytes(n: number): Uint8Array {
  const out = cut(n);
  if (cutDirty) out.fill(0);
  return out;
}

/** A byte array of length `n` whose contents are undefined (an earlier trial's bytes): only for
 *  a caller that writes every byte of it before it is read or returned. */
export function bytesToOverwrite(n: number): Uint8Array {
  const out = cut(n);
  if (poison && cutDirty) poison.views.push(out);
  return out;
}

function cut(n: number): Uint8Array {
  if (n > MAX_FROM_SLAB) {
    // A large array in a trial (the encoder's input and output, a file system read, a transferred
    // file of up to a slab: log-growth's smaller ones; the default file is larger and stays fresh)
    // takes a pooled slab of its own, leaving the current one to the small arrays. A fresh buffer
    // this size is zeroed by the allocator and faulted in page by page: 47k -> 40k page faults in
    // a 1-worker fault-injection sweep of 3960 trials.
    const own = n <= SLAB_BYTES ? pooledSlab() : null;
    cutDirty = own !== null && takenReused;
    return own ? own.subarray(0, n) : new Uint8Array(n);
  }
  if (used + n > slab.length) { slab = pooledSlab() ?? new Uint8Array(SLAB_BYTES); dirty = takenReused; used = 0; }
  cutDirty = dirty;
  const out = slab.subarray(used, used + n);
  used += (n + 7) & ~7;
  return out;
}

/** A copy of `src` (what `src.slice()` returns, from a slab). */
export function copyBytes(src: Uint8Array): Uint8Array {
  const out = bytesToOverwrite(src.length);
  out.set(src);
  return out;
}

/** A DataView over exactly the bytes of `b` (wherever its buffer starts). */
export const viewOf = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
