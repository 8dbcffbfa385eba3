// The sound class's request log for checkpoint-restart: open, release and the configuration
// ioctls with their arguments, every write the driver took (a copy of the bytes it took), and
// every read (how many bytes the caller got). Queries (capabilities, buffer space) change
// nothing and are not logged. A sound driver holds no kernel objects.
// During a restore, readers and writers sleep (0 bytes moved) and are woken when it is over;
// other calls get the failed instance's answer. What a restored card replays: the device goes
// back to the checkpoint's ring positions, so the periods it had not played then are played
// again; the logged writes are written again in order, and what the restored ring cannot take
// is dropped (counted); the logged reads consume again what the restored capture ring holds.
// Periods played twice and periods lost are left for the oracle to hear.
import { SNDCTL, type SoundCore, type SoundOps } from '../../kernel/soundcore.js';
import { OWNER_KERNEL } from '../../kernel/skb.js';
import type { Kernel } from '../../kernel/kernel.js';
import { CALL_HEADER_BYTES, ClassRequestLog, HeldSnapshot, LoggedCall } from './request-log.js';

const QUERIES = new Set<number>([SNDCTL.GET_CAPS, SNDCTL.GET_OSPACE]);

export class SoundRequestLog implements ClassRequestLog<SoundOps> {
  readonly unlogged = new Set(['interrupt']);
  replayDropped = 0;
  /** Bytes of logged writes the restored ring refused, and of logged reads it could not give again. */
  replayDroppedBytes = 0;
  /** The call being made (calls are not nested): its result decides whether it is kept. */
  private current: LoggedCall | null = null;

  constructor(private readonly k: Kernel, private readonly snd: SoundCore) {}

  record(entry: string, args: unknown[]): LoggedCall {
    const nums = (args as number[]).slice();
    let call: LoggedCall;
    if (entry === 'write') {
      const [buf, len] = nums;
      const payload = this.k.mem.readBytes(buf, len);
      this.k.cpu.charge('upkeep', len * this.k.params.copyNsPerByte);
      call = { entry, args: nums, payload, bytes: CALL_HEADER_BYTES + 8 + len };
    } else call = { entry, args: nums, payload: null, bytes: CALL_HEADER_BYTES + 4 * nums.length };
    this.current = call;
    return call;
  }

  /** A write is kept with the length the driver took; a read with the length the caller got
   *  (a read of 0 may have started the capture); a query ioctl or a refused call is not kept. */
  accepted(entry: string, result: unknown): boolean {
    const call = this.current, r = result as number;
    this.current = null;
    if (!call) return false;
    if (entry === 'write') {
      if (!(r > 0)) return false;
      call.args[1] = r;
      call.payload = call.payload!.subarray(0, r);
      return true;
    }
    if (entry === 'read') { if (r < 0) return false; call.args[1] = r; return true; }
    if (entry === 'ioctl' && QUERIES.has(call.args[0])) return false;
    return r >= 0;
  }

  /** Readers and writers sleep until the restore is over. */
  whileRecovering(entry: string): unknown { return entry === 'write' || entry === 'read' ? 0 : undefined; }

  snapshotHeld(): HeldSnapshot { return { bytes: 0, objects: [] }; }
  afterStop(): void {} // a sound driver holds no kernel objects
  restoreHeld(): number { return 0; }

  replay(call: LoggedCall, ops: SoundOps): void {
    if (call.entry !== 'write' && call.entry !== 'read') { (ops as unknown as Record<string, (...a: number[]) => unknown>)[call.entry](...call.args); return; }
    const buf = this.k.skbs.alloc(OWNER_KERNEL);
    const len = call.args[1];
    if (buf === 0) { this.replayDropped++; this.replayDroppedBytes += len; return; }
    if (call.entry === 'write') this.k.mem.writeBytes(buf, call.payload!);
    const n = call.entry === 'write' ? ops.write(buf, len) : ops.read(buf, len);
    this.k.skbs.free(buf, OWNER_KERNEL);
    if (n < len) { this.replayDropped++; this.replayDroppedBytes += len - Math.max(0, n); }
  }

  /** Readers and writers that slept during the restore try again. */
  resume(): void { this.snd.wakeAll(); }
}
