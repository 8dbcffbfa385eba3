// The block-class shadow driver. Passive mode logs the open, the disk's capacity answer, and
// each request the driver accepted until it ends it. Active mode answers new requests with
// "request queue full" (the kernel keeps them queued), answers the capacity query from the log,
// and drops interrupts and timer calls. Recovery reopens the disk and resubmits the requests the
// failed driver held, ahead of the queued ones. Disk contents are not copied: persistent state
// is the device's, protected by the fail-stop assumption.
import { ClassShadow } from './class-shadow.js';
import { BlockOps, BlockKernelApi, BLK_BUSY, BLK_OK, BLKCTL } from '../../kernel/blockcore.js';
import type { BlockWorld } from '../../world/block-world.js';

const EIO = -5;

export class BlockShadow extends ClassShadow<BlockOps, BlockKernelApi> {
  private pending: number[] = [];

  constructor(private readonly blockWorld: BlockWorld, skipping = false) { super(blockWorld, skipping); }

  protected taps(): BlockOps {
    return {
      open: () => {
        if (this.mode === 'dead') return EIO;
        if (this.mode === 'active') { this.log.put('open', 0, 1); return 0; }
        const r = this.drv.open();
        if (r === 0 || this.failedNow) this.log.put('open', 0, 1);
        return this.failedNow ? 0 : r;
      },
      release: () => { this.log.drop('open'); return this.mode === 'passive' ? this.drv.release() : 0; },
      request: (id, dir, sector, count, buf) => {
        if (this.mode === 'dead') return EIO;
        if (this.mode === 'active') { this.count('request answered queue-full'); return BLK_BUSY; }
        if (this.refused('request', [id, dir, sector, count, buf])) return EIO; // one error for its caller
        const r = this.drv.request(id, dir, sector, count, buf);
        if (this.failedNow) { this.count('request answered queue-full'); return BLK_BUSY; }
        if (r === BLK_OK) { this.log.put(`req:${id}`, 20, id); this.served(); }
        return r;
      },
      ioctl: (cmd, arg) => {
        if (this.mode === 'dead') return EIO;
        if (cmd === BLKCTL.GET_CAPACITY) {
          if (this.mode === 'active') { this.count('capacity answered from the log'); return this.log.get<number>('capacity') ?? EIO; }
          const r = this.drv.ioctl(cmd, arg);
          if (r >= 0 && !this.failedNow) this.log.put('capacity', 4, r);
          return r;
        }
        return this.mode === 'active' ? EIO : this.drv.ioctl(cmd, arg);
      },
      interrupt: () => { if (this.mode === 'passive') this.drv.interrupt(); else this.count('interrupt dropped'); },
      timeout: () => { if (this.mode === 'passive') this.drv.timeout(); else this.count('timeout dropped'); },
    };
  }

  protected override tapApi(api: BlockKernelApi): BlockKernelApi {
    return { ...api, endRequest: (id: number, status: number) => { api.endRequest(id, status); this.log.drop(`req:${id}`); } };
  }

  /** Keep every request the failed driver had accepted (they are logged); release anything else. */
  protected keepPending(held: number[]): void {
    const logged = new Set(this.log.withPrefix<number>('req:').map((e) => e.value));
    for (const id of logged) this.log.drop(`req:${id}`);
    this.pending = held.filter((id) => logged.has(id));
    this.world.core.release(held.filter((id) => !logged.has(id)));
  }

  protected replay(): boolean {
    return this.replayLogged([['open', () => this.drv.open()]]);
  }

  /** Resubmit: the held requests go back to the head of the kernel's queue, in their order. */
  protected resubmit(): boolean {
    for (const id of this.pending) this.chargeResubmit(this.blockWorld.blk.requestBytes(id));
    this.blockWorld.blk.requeue(this.pending);
    this.k.log('shadow', `resubmitting ${this.pending.length} requests`);
    this.pending = [];
    return true;
  }

  protected resume(): void { this.blockWorld.blk.resume(); }

  protected shutDown(): void { this.blockWorld.blk.unregister(); }
}
