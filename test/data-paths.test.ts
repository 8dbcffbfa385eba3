// The fast data paths compute what the plain ones did: hashes, lazy kernel page seals, event
// handles. (Their speed is measured by `bench`, never here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../src/kernel/kernel.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { SystemCrash } from '../src/sim/faults.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { KERNEL_BASE, KERNEL_SIZE, KERNEL_DATA_BASE } from '../src/kernel/layout.js';
import { DMA, fnv1a, bytesEqual, checksumsEqual } from '../src/sim/memory.js';
import { newBytes, copyBytes, inTrialScope } from '../src/sim/slab.js';
import { audioBlock, decodeBlock, decodeKnown } from '../src/apps/sound/audio.js';
import { Scheduler } from '../src/sim/scheduler.js';
import { fillBytes } from '../src/sim/bytes.js';
import { StreamSender, parseSegment } from '../src/net/stream.js';

/** FNV-1a as specified, one unsigned step per byte. */
function fnv1aPlain(data: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of data) { h ^= b; h = Number((BigInt(h) * 0x01000193n) & 0xffffffffn); }
  return h;
}

test('fnv1a equals the plain definition, with and without a seed', () => {
  let x = 12345;
  for (const len of [0, 1, 3, 64, 2036, 4096]) {
    const d = new Uint8Array(len).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
    assert.equal(fnv1a(d), fnv1aPlain(d));
    assert.equal(fnv1a(d, 0xdeadbeef), fnv1aPlain(d, 0xdeadbeef));
  }
  assert.notEqual(fnv1a(new Uint8Array([1])), fnv1a(new Uint8Array([2])));
});

const boot = (seed: number) => new Kernel(DEFAULT_PARAMS, new RngStreams(seed), new Trace(false), false);

test('a kernel data page sealed lazily: rewriting its own bytes passes, a changed byte is found on any page', () => {
  const last = KERNEL_BASE + KERNEL_SIZE - 4;
  for (const addr of [KERNEL_DATA_BASE, KERNEL_DATA_BASE + 0x1234, last]) {
    const same = boot(3);
    same.mem.write32(addr, same.mem.read32(addr), DMA);
    same.checkIntegrity();
    assert.equal(same.crashReason, null);
    const changed = boot(3);
    changed.mem.write32(addr, changed.mem.read32(addr) ^ 0x100, DMA);
    assert.throws(() => changed.checkIntegrity(), SystemCrash);
    assert.match(changed.crashReason ?? '', new RegExp(`kernel data page 0x${((addr >> 12) << 12).toString(16)}`));
  }
});

test('kernel data differ by seed, and a page is checked against its own seed', () => {
  const a = boot(1), b = boot(2);
  assert.notEqual(a.mem.read32(KERNEL_DATA_BASE + 0x800), b.mem.read32(KERNEL_DATA_BASE + 0x800));
  // Seed 2's bytes written into seed 1's page are a change.
  a.mem.writeBytes(KERNEL_DATA_BASE, b.mem.bytes.slice(KERNEL_DATA_BASE, KERNEL_DATA_BASE + 0x1000), DMA);
  assert.throws(() => a.checkIntegrity(), SystemCrash);
});

test('a scheduled event is its own handle: cancel skips it, order is (time, priority, sequence)', () => {
  const s = new Scheduler();
  const seen: string[] = [];
  s.schedule(5, 'b', () => seen.push('b'));
  const h = s.schedule(5, 'x', () => seen.push('x'));
  s.schedule(5, 'a', () => seen.push('a'), -1);
  s.schedule(1, 'c', () => seen.push('c'));
  assert.equal(h.time, 5);
  h.cancel();
  assert.equal(s.pending(), 3);
  s.run(100);
  assert.deepEqual(seen, ['c', 'a', 'b']);
  assert.equal(s.eventsRun, 3);
});

/** xorshift32 filler by its definition: byte i is byte i mod 4 (little-endian) of state i div 4 + 1. */
function fillPlain(out: Uint8Array, seed: number): Uint8Array {
  let s = (seed >>> 0) || 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    if ((i & 3) === 0) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; }
    out[i] = (s >>> (8 * (i & 3))) & 0xff;
  }
  return out;
}

test('fillBytes writes the bytes of its definition, at any length and alignment', () => {
  for (const len of [0, 1, 3, 4, 5, 2048, 4099]) {
    for (const off of [0, 1, 2, 4]) {
      const a = new Uint8Array(len + 8), b = new Uint8Array(len + 8);
      fillBytes(a.subarray(off, off + len), len * 31 + off);
      fillPlain(b.subarray(off, off + len), len * 31 + off);
      assert.deepEqual(a, b, `length ${len}, offset ${off}`);
    }
  }
  assert.notDeepEqual(fillBytes(new Uint8Array(8), 1), fillBytes(new Uint8Array(8), 2));
});

test('memory copy equals read then write: overlap, the checks, and kernel pages marked', () => {
  const k = boot(5);
  const m = k.mem;
  const base = KERNEL_DATA_BASE + 0x100;
  const before = m.bytes.slice(base, base + 64);
  m.copy(base + 8, base, 32, DMA); // overlapping, forwards
  assert.deepEqual(m.bytes.slice(base + 8, base + 40), before.subarray(0, 32));
  assert.ok(m.kernelPagesWritten.has((base + 8) >> 12));
  assert.throws(() => m.copy(base, 0x10, 4, DMA), /NULL page/);
  assert.throws(() => m.copy(0x10, base, 4, DMA), /NULL page/);
});

test('a resent stream segment carries the same checksum as when first sent, and a corrupted one is refused', () => {
  const sched = new Scheduler();
  const sent: Uint8Array[] = [];
  const link = { sched, send: (s: Uint8Array) => { sent.push(s.slice()); return true; }, log: () => {} };
  const tx = new StreamSender(link, 1, { initialRtoUs: 100, maxRtoUs: 1000, maxRetries: 3, window: 4, segmentBytes: 8 });
  tx.write(fillBytes(new Uint8Array(20), 9));
  sched.run(150); // no ACK: the window is resent once
  assert.equal(tx.retransmissions, 3);
  assert.equal(sent.length, 6);
  for (let i = 0; i < 3; i++) assert.deepEqual(sent[i + 3], sent[i]);
  for (const s of sent) assert.ok(parseSegment(s));
  const bad = sent[0].slice(); bad[14] ^= 1;
  assert.equal(parseSegment(bad), null);
});


test('slab bytes are zeroed, aligned, independent of each other, and copies are copies', () => {
  const a = newBytes(100), b = newBytes(2048), big = newBytes(64 * 1024);
  for (const x of [a, b, big]) { assert.ok(x.every((v) => v === 0)); assert.equal(x.byteOffset % 8, 0); }
  a.fill(7); b.fill(9);
  assert.ok(a.every((v) => v === 7) && b.every((v) => v === 9), 'neighbouring views do not overlap');
  const c = copyBytes(b);
  c[0] = 1;
  assert.equal(b[0], 9);
  assert.equal(fillBytes(newBytes(1000), 42).join(), fillBytes(new Uint8Array(1000), 42).join(), 'aligned word writes fill the same bytes');
});

test('checksumsEqual decides what comparing fnv1a checksums decides', () => {
  const x = fillBytes(new Uint8Array(3000), 5), y = x.slice(), z = x.slice();
  z[2999] ^= 1;
  assert.equal(bytesEqual(x, y), true);
  assert.equal(checksumsEqual(x, y), fnv1a(x) === fnv1a(y));
  assert.equal(checksumsEqual(x, z), fnv1a(x) === fnv1a(z));
  assert.equal(checksumsEqual(x, z), false);
});

test('decodeKnown answers what decodeBlock does, for the known block, a damaged one and another block', () => {
  const known = audioBlock(3, 17, 99);
  const lookup = (seq: number) => (seq === 17 ? known : undefined);
  const damaged = known.slice(); damaged[500] ^= 0x10;
  const other = audioBlock(3, 18, 99);
  const headerOnly = known.slice(); headerOnly[4] = 18; // names seq 18: not the known block
  for (const b of [known.slice(), damaged, other, headerOnly, known.subarray(0, 100)]) assert.deepEqual(decodeKnown(b, lookup), decodeBlock(b));
  assert.deepEqual(decodeKnown(known.slice(), lookup), { stream: 3, seq: 17 });
  assert.equal(decodeKnown(damaged, lookup), null);
});

test('an audio block checks out, and a change to any one word of it is caught', () => {
  const b = audioBlock(5, 1234, 777);
  assert.deepEqual(decodeBlock(b), { stream: 5, seq: 1234 });
  assert.deepEqual(decodeBlock(audioBlock(5, 1234, 777)), decodeBlock(b), 'the same block from the same seed');
  for (const at of [12, 13, 700, 2047]) {
    const d = b.slice(); d[at] ^= 1 << (at % 8);
    assert.equal(decodeBlock(d), null, `byte ${at}`);
  }
  const unaligned = new Uint8Array(2049); unaligned.set(b, 1);
  assert.deepEqual(decodeBlock(unaligned.subarray(1)), { stream: 5, seq: 1234 }, 'the DataView path reads the same words');
});

test('a released address space hands the next one its buffer all zeros, after a whole trial too', async () => {
  const { AddressSpace } = await import('../src/sim/memory.js');
  const { runTrial } = await import('../src/trial/run.js');
  const a = new AddressSpace();
  a.map('r', 'kernel', 0x10000, 0x3000);
  a.write32(0x10004, 0xdeadbeef);
  a.fill(0x11000, 0x2000, 0x5a);
  a.release();
  const b = new AddressSpace();
  assert.equal(b.bytes, a.bytes, 'the buffer is reused');
  assert.ok(b.bytes.every((x) => x === 0));
  b.release();
  runTrial({ driver: 'e1000', app: 'file-transfer', strategy: 'checkpoint', seed: 3, fault: { type: 'random', persistence: 'transient' } });
  const c = new AddressSpace();
  assert.ok(c.bytes.every((x) => x === 0), 'nothing a trial wrote is left');
  c.release();
});

test('slabs are reused from trial to trial, zeroed, and bytes made outside a trial are never reused', () => {
  const outside = newBytes(64).fill(3);
  const first = inTrialScope(() => { const b = newBytes(1000).fill(9); return b; });
  const second = inTrialScope(() => inTrialScope(() => newBytes(1000)));
  assert.equal(second.buffer, first.buffer, 'the next trial gets the pooled slab');
  assert.ok(second.every((x) => x === 0), 'zeroed before reuse');
  inTrialScope(() => { for (let i = 0; i < 200; i++) newBytes(8192).fill(1); });
  assert.ok(outside.every((x) => x === 3), 'bytes made between trials are left alone');
  assert.notEqual(newBytes(64).buffer, first.buffer, 'between trials, slabs are not pooled ones');
});

test('every view of the trials after a slab\'s reuse is zero, however much of a slab each trial used', () => {
  const zeroThenDirty = (sizes: number[]) => inTrialScope(() => {
    for (const n of sizes) { const b = newBytes(n); assert.ok(b.every((x) => x === 0), `a view of ${n} bytes is zero`); b.fill(0xa5); }
  });
  zeroThenDirty(Array.from({ length: 100 }, () => 8000)); // three slabs and part of a fourth
  zeroThenDirty([10]); // the first slab again, barely
  zeroThenDirty(Array.from({ length: 300 }, (_, i) => 1000 + (i % 7) * 2000)); // past the others
  zeroThenDirty(Array.from({ length: 300 }, (_, i) => 16000 - (i % 5) * 3000));
});

test('sum32 is the FNV-1a step over little-endian words then bytes, at any alignment, and sees a one-bit change', async () => {
  const { sum32 } = await import('../src/sim/memory.js');
  const plain = (d: Uint8Array): number => {
    let h = 0x811c9dc5;
    const words = d.length >>> 2;
    for (let j = 0; j < words; j++) { const w = (d[4 * j] | (d[4 * j + 1] << 8) | (d[4 * j + 2] << 16) | (d[4 * j + 3] << 24)) >>> 0; h = Number((BigInt((h ^ w) >>> 0) * 0x01000193n) & 0xffffffffn); }
    for (let i = words * 4; i < d.length; i++) h = Number((BigInt((h ^ d[i]) >>> 0) * 0x01000193n) & 0xffffffffn);
    return h;
  };
  const buf = fillBytes(new Uint8Array(1500), 11);
  for (const [off, len] of [[0, 0], [0, 1], [1, 7], [2, 1400], [3, 1401]]) assert.equal(sum32(buf.subarray(off, off + len)), plain(buf.subarray(off, off + len)), `${off}+${len}`);
  const d = buf.slice(0, 1400); d[777] ^= 0x40;
  assert.notEqual(sum32(d), sum32(buf.subarray(0, 1400)));
});
