// The sound-class shadow driver, with the paper's proxy table (Swift et al., OSDI 2004, section 4):
//   read / write          -> suspend the caller (the kernel sleeps it until recovery ends)
//   interrupt             -> drop
//   capability ioctl      -> answer from the log
//   buffer-space ioctl    -> act busy (report the buffers full)
//   reset ioctl           -> queue for later; drop idempotent duplicates
// Passive mode logs the open and the configuration ioctls (format, channels, rate, volume);
// OSS resets format on open, so a release drops the per-open entries but keeps the volume.
import { ClassShadow } from './class-shadow.js';
import { SoundOps, SoundKernelApi, SNDCTL } from '../../kernel/soundcore.js';
import type { SoundWorld } from '../../world/sound-world.js';

const EIO = -5;
const CONFIG: Record<number, string> = { [SNDCTL.SET_FORMAT]: 'fmt', [SNDCTL.SET_CHANNELS]: 'channels', [SNDCTL.SET_RATE]: 'rate', [SNDCTL.SET_VOLUME]: 'volume' };
const PER_OPEN = ['open', 'fmt', 'channels', 'rate', 'reset'];

export class SoundShadow extends ClassShadow<SoundOps, SoundKernelApi> {
  constructor(private readonly snd: SoundWorld, skipping = false) { super(snd, skipping); }

  protected taps(): SoundOps {
    return {
      open: (mode) => this.config('open', mode, () => this.drv.open(mode)),
      release: () => {
        for (const key of PER_OPEN) this.log.drop(key);
        return this.mode === 'passive' ? this.drv.release() : 0;
      },
      write: (buf, len) => {
        if (this.mode === 'passive' && this.refused('write', [buf, len])) return EIO;
        const r = this.transfer('write', () => this.drv.write(buf, len));
        if (r > 0) this.served();
        return r;
      },
      read: (buf, len) => this.transfer('read', () => this.drv.read(buf, len)),
      ioctl: (cmd, arg) => this.ioctl(cmd, arg),
      interrupt: () => { if (this.mode === 'passive') this.drv.interrupt(); else this.count('interrupt dropped'); },
    };
  }

  private config(key: string, value: number, call: () => number): number {
    if (this.mode === 'dead') return EIO;
    if (this.mode === 'active') { this.log.put(key, 4, value); this.count(`${key} queued`); return 0; }
    const r = call();
    if (this.failedNow) { this.log.put(key, 4, value); return 0; }
    if (r >= 0) this.log.put(key, 4, value);
    return r;
  }

  /** Data transfers are not logged; during recovery the caller sleeps (0 bytes moved). */
  private transfer(what: string, call: () => number): number {
    if (this.mode === 'dead') return EIO;
    if (this.mode === 'active') { this.count(`${what} suspended`); return 0; }
    const r = call();
    if (this.failedNow) { this.count(`${what} suspended`); return 0; }
    return r;
  }

  private ioctl(cmd: number, arg: number): number {
    const key = CONFIG[cmd];
    if (key) return this.config(key, arg, () => this.drv.ioctl(cmd, arg));
    if (this.mode === 'dead') return EIO;
    switch (cmd) {
      case SNDCTL.GET_CAPS: {
        if (this.mode === 'active') { this.count('capability query answered from the log'); return this.log.get<number>('caps') ?? EIO; }
        const r = this.drv.ioctl(cmd, arg);
        if (r >= 0 && !this.failedNow) this.log.put('caps', 4, r);
        return this.failedNow ? this.log.get<number>('caps') ?? EIO : r;
      }
      case SNDCTL.GET_OSPACE:
        if (this.mode === 'active') { this.count('buffer query answered busy'); return 0; }
        return this.drv.ioctl(cmd, arg);
      case SNDCTL.RESET:
        if (this.mode === 'active') {
          if (this.log.has('reset')) this.count('duplicate reset dropped'); else this.count('reset queued');
          this.log.put('reset', 4, 1);
          return 0;
        }
        return this.drv.ioctl(cmd, arg);
      default:
        return this.mode === 'active' ? EIO : this.drv.ioctl(cmd, arg);
    }
  }

  /** A sound driver holds no kernel objects; what sat in its DMA buffer is lost (a glitch). */
  protected keepPending(held: number[]): void { this.world.core.release(held); }

  protected replay(): boolean {
    const ioctl = (cmd: number, key: string) => () => this.drv.ioctl(cmd, this.log.get<number>(key)!);
    const ok = this.replayLogged([
      ['open', () => this.drv.open(this.log.get<number>('open')!)],
      ['fmt', ioctl(SNDCTL.SET_FORMAT, 'fmt')],
      ['channels', ioctl(SNDCTL.SET_CHANNELS, 'channels')],
      ['rate', ioctl(SNDCTL.SET_RATE, 'rate')],
      ['volume', ioctl(SNDCTL.SET_VOLUME, 'volume')],
      ['reset', () => this.drv.ioctl(SNDCTL.RESET, 0)],
    ]);
    this.log.drop('reset');
    return ok;
  }

  protected resubmit(): boolean { return true; }

  /** Wake the processes suspended in read or write. */
  protected resume(): void { this.snd.snd.wakeAll(); }

  protected shutDown(): void {}
}
