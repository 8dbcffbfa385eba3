// kmalloc for one driver instance, carved from its protection domain, with an object tracker:
// the kernel knows every allocation a driver holds, so it can validate kfree and release all
// of them when the driver is unloaded.
export class DriverHeap {
  private next: number;
  private readonly live = new Map<number, number>(); // addr -> size
  private readonly free: Array<{ addr: number; size: number }> = [];
  peakBytes = 0;
  private bytes = 0;

  constructor(readonly base: number, readonly size: number) { this.next = base + 0x100; }

  alloc(size: number): number {
    const rounded = (size + 15) & ~15;
    const i = this.free.findIndex((b) => b.size === rounded);
    let addr: number;
    if (i >= 0) addr = this.free.splice(i, 1)[0].addr;
    else {
      if (this.next + rounded > this.base + this.size) return 0;
      addr = this.next;
      this.next += rounded;
    }
    this.live.set(addr, rounded);
    this.bytes += rounded;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return addr;
  }

  /** Returns false if `addr` is not a live allocation (double or wild free). */
  release(addr: number): boolean {
    const size = this.live.get(addr);
    if (size === undefined) return false;
    this.live.delete(addr);
    this.free.push({ addr, size });
    this.bytes -= size;
    return true;
  }

  /** Bytes from the base that allocations have ever reached (what a checkpoint must copy). */
  extent(): number { return this.next - this.base; }

  snapshot(): HeapSnapshot {
    return { next: this.next, live: [...this.live], free: this.free.map((b) => ({ ...b })), bytes: this.bytes };
  }

  restore(s: HeapSnapshot): void {
    this.next = s.next;
    this.live.clear();
    for (const [a, n] of s.live) this.live.set(a, n);
    this.free.splice(0, this.free.length, ...s.free.map((b) => ({ ...b })));
    this.bytes = s.bytes;
  }

  liveCount(): number { return this.live.size; }
  liveBytes(): number { return this.bytes; }
}

export interface HeapSnapshot { next: number; live: Array<[number, number]>; free: Array<{ addr: number; size: number }>; bytes: number }
