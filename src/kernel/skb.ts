// The socket-buffer pool. Buffers live in the skb region (drivers may write packet data);
// who owns each buffer is kernel metadata, stored as (owner, ~owner) so that a stray write
// to it is caught the next time the kernel uses or checks the entry.
import type { Kernel } from './kernel.js';
import * as L from './layout.js';

export const OWNER_FREE = 0;
export const OWNER_KERNEL = 1;
export const ownerOfSlot = (driverSlot: number): number => 0x100 + driverSlot;

export class SkbPool {
  private readonly next: number[] = [];
  inUse = 0;

  constructor(private readonly k: Kernel) {
    for (let i = 0; i < L.SKB_SLOTS; i++) this.setOwner(i, OWNER_FREE);
    k.addCheck(() => this.check());
  }

  /** Allocate a buffer for `owner`; 0 when the pool is empty. */
  alloc(owner: number): number {
    for (let n = 0; n < L.SKB_SLOTS; n++) {
      const i = (this.cursor + n) % L.SKB_SLOTS;
      if (this.owner(i) === OWNER_FREE) {
        this.cursor = (i + 1) % L.SKB_SLOTS;
        this.setOwner(i, owner);
        this.inUse++;
        return L.SKB_BASE + i * L.SKB_SLOT;
      }
    }
    return 0;
  }
  private cursor = 0;

  /** Index of a valid buffer address, or -1. */
  index(addr: number): number {
    const off = addr - L.SKB_BASE;
    if (!Number.isInteger(addr) || off < 0 || off % L.SKB_SLOT !== 0 || off / L.SKB_SLOT >= L.SKB_SLOTS) return -1;
    return off / L.SKB_SLOT;
  }

  ownerOf(addr: number): number {
    const i = this.index(addr);
    return i < 0 ? -1 : this.owner(i);
  }

  /** Pass a buffer from one owner to another; false if `from` does not own it. */
  transfer(addr: number, from: number, to: number): boolean {
    const i = this.index(addr);
    if (i < 0 || this.owner(i) !== from) return false;
    this.setOwner(i, to);
    return true;
  }

  free(addr: number, by: number): boolean {
    if (!this.transfer(addr, by, OWNER_FREE)) return false;
    this.inUse--;
    return true;
  }

  /** Give a free buffer to `owner` (a restore taking back a buffer it held); false if not free. */
  claim(addr: number, owner: number): boolean {
    if (!this.transfer(addr, OWNER_FREE, owner)) return false;
    this.inUse++;
    return true;
  }

  /** Take buffer `addr` for `owner` (a checkpoint restore wants that very address back): it is
   *  claimed if free, else whoever in the kernel holds it is asked to move aside first. */
  reclaimAddress(addr: number, owner: number, moveAside: (addr: number) => boolean): boolean {
    return this.claim(addr, owner) || (moveAside(addr) && this.claim(addr, owner));
  }

  /** Buffers held by an owner (the object tracker's view of a driver's skbs). */
  heldBy(owner: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < L.SKB_SLOTS; i++) if (this.owner(i) === owner) out.push(L.SKB_BASE + i * L.SKB_SLOT);
    return out;
  }

  private owner(i: number): number {
    const a = L.SKB_TABLE_BASE + i * 8;
    const owner = this.k.mem.view.getUint32(a, true);
    const check = this.k.mem.view.getUint32(a + 4, true);
    if ((owner ^ check) >>> 0 !== 0xffffffff) this.k.crash(`kernel found corrupted skb table entry ${i}`);
    return owner;
  }

  private setOwner(i: number, owner: number): void {
    const a = L.SKB_TABLE_BASE + i * 8;
    this.k.mem.view.setUint32(a, owner, true);
    this.k.mem.view.setUint32(a + 4, ~owner >>> 0, true);
  }

  private check(): string | null {
    const v = this.k.mem.view;
    for (let i = 0; i < L.SKB_SLOTS; i++) {
      const a = L.SKB_TABLE_BASE + i * 8;
      if ((v.getUint32(a, true) ^ v.getUint32(a + 4, true)) >>> 0 !== 0xffffffff) return `skb table entry ${i}`;
    }
    return null;
  }
}
