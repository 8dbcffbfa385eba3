// The simulated machine's single address space: typed-array memory cut into regions. Access
// checks model the MMU (NULL page, unmapped space) and Nooks-like protection domains.
import { MachineFault } from './faults.js';
import { copyBytes } from './slab.js';

export type RegionKind = 'kernel' | 'skb' | 'driver';

export interface Region { name: string; kind: RegionKind; base: number; size: number }

/** Who is running: the kernel (writes anywhere mapped) or a driver instance (its domain). */
export interface Domain { name: string; writable: readonly Region[] }

export const PAGE = 0x1000;
/** Bus-master DMA by devices: no IOMMU, so it can write anywhere mapped. */
export const DMA: Domain = { name: 'dma', writable: [] };
export const MEMORY_BYTES = 0x200000; // 2 MiB; the rest of the 32-bit space is unmapped

/**
 * One 2 MiB buffer per thread, handed to one trial at a time: a sweep does not churn 2 MiB of
 * garbage per trial. (Trials are synchronous, so a thread runs one at a time.) A trial never sees
 * another's bytes: a space zeroes what it mapped when it is released, and nothing is ever written
 * where no region was mapped (every write checks the mapping, and the kernel's own direct writes
 * go to its regions), so the spare is all zeros. That is about a quarter of the buffer; a trial
 * that ends without releasing (a harness error) drops its buffer and the next gets a new one.
 */
let spare: Uint8Array | null = null;
function acquireBytes(): Uint8Array {
  const b = spare ?? new Uint8Array(MEMORY_BYTES);
  spare = null;
  return b;
}

export class AddressSpace {
  readonly bytes = acquireBytes();
  readonly view = new DataView(this.bytes.buffer);
  /** The trial is over: the buffer may serve the next one (this space must not be used again). */
  release(): void {
    for (const [base, size] of this.everMapped) this.bytes.fill(0, base, base + size);
    spare = this.bytes;
  }
  /** Every range a region ever covered (regions of unloaded drivers included), by base. */
  private readonly everMapped = new Map<number, number>();
  readonly regions: Region[] = [];
  /** Whether writes outside a driver's domain fault (Nooks) or go through (native). */
  isolation = true;
  /** Kernel pages written by anyone but the kernel (wild driver writes, device DMA): the
   *  kernel's consistency checks look at these pages next time they run. */
  readonly kernelPagesWritten = new Set<number>();

  map(name: string, kind: RegionKind, base: number, size: number): Region {
    if (base < PAGE || base + size > MEMORY_BYTES) throw new Error(`region ${name} out of range`);
    const r: Region = { name, kind, base, size };
    this.regions.push(r);
    this.everMapped.set(base, Math.max(size, this.everMapped.get(base) ?? 0));
    return r;
  }

  regionOf(addr: number): Region | null {
    for (const r of this.regions) if (addr >= r.base && addr < r.base + r.size) return r;
    return null;
  }

  /** Raise the fault a CPU would for touching [addr, addr+len). */
  checkMapped(addr: number, len: number, site: string | null): Region {
    if (!Number.isInteger(addr) || addr < 0) throw new MachineFault('unmapped', `bad address ${addr}`, site);
    if (addr < PAGE) throw new MachineFault('null-deref', `NULL page access at 0x${addr.toString(16)}`, site);
    const r = this.regionOf(addr);
    if (!r || addr + len > r.base + r.size) {
      throw new MachineFault('unmapped', `unmapped access at 0x${addr.toString(16)}`, site);
    }
    return r;
  }

  checkWrite(addr: number, len: number, domain: Domain | null, site: string | null): void {
    const r = this.checkMapped(addr, len, site);
    if (domain && r.kind === 'kernel') {
      for (let p = addr >> 12; p <= (addr + len - 1) >> 12; p++) this.kernelPagesWritten.add(p);
    }
    if (!domain || !this.isolation || domain === DMA) return;
    if (!domain.writable.includes(r)) {
      throw new MachineFault('protection',
        `${domain.name} wrote 0x${addr.toString(16)} in ${r.name}, outside its domain`, site);
    }
  }

  read32(addr: number, domain: Domain | null = null, site: string | null = null): number {
    void domain;
    this.checkMapped(addr, 4, site);
    return this.view.getUint32(addr, true);
  }

  write32(addr: number, value: number, domain: Domain | null = null, site: string | null = null): void {
    this.checkWrite(addr, 4, domain, site);
    this.view.setUint32(addr, value >>> 0, true);
  }

  readBytes(addr: number, len: number, site: string | null = null): Uint8Array {
    this.checkMapped(addr, len, site);
    return copyBytes(this.bytes.subarray(addr, addr + len));
  }

  writeBytes(addr: number, data: Uint8Array, domain: Domain | null = null, site: string | null = null): void {
    this.checkWrite(addr, data.length, domain, site);
    this.bytes.set(data, addr);
  }

  /** Copy [src, src+len) to dst inside this memory (a memmove: overlap is fine), with the same
   *  checks as readBytes then writeBytes, and no intermediate copy. */
  copy(dst: number, src: number, len: number, domain: Domain | null = null, site: string | null = null): void {
    this.checkMapped(src, len, site);
    this.checkWrite(dst, len, domain, site);
    this.bytes.copyWithin(dst, src, src + len);
  }

  fill(addr: number, len: number, value: number): void { this.bytes.fill(value, addr, addr + len); }
}

/** The bytes are identical (a native compare). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0; // takes typed arrays: no Buffer objects made
}

/** Whether `fnv1a(a) === fnv1a(b)`, what an app comparing checksums decides: equal bytes have
 *  equal checksums, so only different bytes are hashed (a whole file is not read twice). */
export function checksumsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b) || fnv1a(a) === fnv1a(b);
}

/** FNV-1a's step over 32-bit little-endian words (then the trailing bytes one at a time): the
 *  checksum of stream segments and packet payloads. One multiply per word, not per byte, is about
 *  3x cheaper (the multiplies form the chain that bounds it); every step is a bijection of the
 *  running sum, so a change to any one word always changes the result. Any alignment. */
export function sum32(data: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed | 0;
  const n = data.length, end = n & ~3;
  let i = 0;
  for (; i < end; i += 4) h = Math.imul(h ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)), 0x01000193);
  for (; i < n; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}

/** FNV-1a over bytes: cheap integrity checksums for kernel structures and app oracles. */
export function fnv1a(data: Uint8Array, seed = 0x811c9dc5): number {
  // Math.imul multiplies modulo 2^32 whatever the sign, so h may stay a signed int32 inside the
  // loop (no conversion per byte); the bits, and so the result, are those of the unsigned form.
  // Four bytes per iteration: fewer loop checks (2.85 -> 2.4 us per 2 KiB).
  let h = seed | 0;
  const n = data.length;
  let i = 0;
  for (const m = n - 3; i < m; i += 4) {
    h = Math.imul(h ^ data[i], 0x01000193);
    h = Math.imul(h ^ data[i + 1], 0x01000193);
    h = Math.imul(h ^ data[i + 2], 0x01000193);
    h = Math.imul(h ^ data[i + 3], 0x01000193);
  }
  for (; i < n; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}
