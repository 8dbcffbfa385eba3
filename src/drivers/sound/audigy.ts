// An audigy-like sound driver (OSS style). The private struct keeps the format, rate, volume,
// and the application and hardware pointers into the DMA ring buffers it allocates in its own
// domain; every access goes through a fault site.
import type { ExecContext } from '../../sim/exec.js';
import type { SoundKernelApi } from '../../kernel/soundcore.js';
import { SNDCTL, MODE_PLAY, MODE_CAPTURE } from '../../kernel/soundcore.js';
import type { DeviceModel } from '../../devices/device-model.js';
import { SoundCard, SREG, CTL_PLAY, CTL_CAPTURE, CTL_RESET, ISR_PLAY, ISR_CAPTURE, fmtValue } from '../../devices/soundcard.js';
import type { DriverModule } from '../types.js';
import { ENOMEM, EINVAL } from '../types.js';

const EBADF = -9;
const MAGIC = 0xa0d16e01;
export const PERIOD_BYTES = 2048;
const PERIODS = 4;
const RING_BYTES = PERIOD_BYTES * PERIODS;
/** Private struct layout. */
const S = {
  MAGIC: 0, MODE: 4, FMT: 8, RATE: 12, VOL: 16, CAPS: 20, PBUF: 24, APPL: 28, HWP: 32, RUNNING: 36,
  CBUF: 40, CAPPL: 44, CHWP: 48, IRQ: 52, CRUNNING: 56, SIZE: 64,
} as const;

class Audigy {
  constructor(private readonly x: ExecContext, private readonly k: SoundKernelApi, private readonly dev: SoundCard) {}

  probe(): number {
    const x = this.x, d = this.dev;
    const s = x.alloc('audigy.probe.alloc_private', S.SIZE, (n) => x.call('audigy.probe.kmalloc', [n], (z) => this.k.kmalloc(z)));
    if (x.br('audigy.probe.private_null', s === 0)) return ENOMEM;
    x.st('audigy.probe.magic', s + S.MAGIC, MAGIC);
    x.wrReg('audigy.probe.reset', d, SREG.CTL, CTL_RESET);
    x.st('audigy.probe.caps', s + S.CAPS, x.rdReg('audigy.probe.read_caps', d, SREG.CAPS));
    x.st('audigy.probe.fmt', s + S.FMT, fmtValue(8, 1));
    x.st('audigy.probe.rate', s + S.RATE, 8000);
    x.st('audigy.probe.volume', s + S.VOL, 75);
    x.st('audigy.probe.irq', s + S.IRQ, d.irqLine);
    x.wrReg('audigy.probe.write_volume', d, SREG.VOL, 75);
    return s;
  }

  private ring(site: string): number {
    const x = this.x;
    return x.alloc(site, RING_BYTES, (n) => x.call(`${site}.kmalloc`, [n], (z) => this.k.kmalloc(z)));
  }

  open(s: number, mode: number): number {
    const x = this.x, d = this.dev;
    if (x.br('audigy.open.bad_mode', (mode & (MODE_PLAY | MODE_CAPTURE)) === 0 || mode > 3)) return EINVAL;
    // OSS: every open starts at 8-bit mono 8 kHz.
    x.st('audigy.open.default_fmt', s + S.FMT, fmtValue(8, 1));
    x.st('audigy.open.default_rate', s + S.RATE, 8000);
    if (x.br('audigy.open.play', (mode & MODE_PLAY) !== 0)) {
      const buf = this.ring('audigy.open.alloc_play_ring');
      if (x.br('audigy.open.play_ring_null', buf === 0)) return ENOMEM;
      x.st('audigy.open.pbuf', s + S.PBUF, buf);
      for (const off of [S.APPL, S.HWP, S.RUNNING]) x.st('audigy.open.reset_play', s + off, 0);
      x.wrReg('audigy.open.write_pbuf', d, SREG.PBUF, x.ldp('audigy.open.read_pbuf', s + S.PBUF));
      x.wrReg('audigy.open.write_psize', d, SREG.PSIZE, RING_BYTES);
      x.wrReg('audigy.open.write_pper', d, SREG.PPER, PERIOD_BYTES);
    }
    if (x.br('audigy.open.capture', (mode & MODE_CAPTURE) !== 0)) {
      const buf = this.ring('audigy.open.alloc_capture_ring');
      if (x.br('audigy.open.capture_ring_null', buf === 0)) return ENOMEM;
      x.st('audigy.open.cbuf', s + S.CBUF, buf);
      for (const off of [S.CAPPL, S.CHWP, S.CRUNNING]) x.st('audigy.open.reset_capture', s + off, 0);
      x.wrReg('audigy.open.write_cbuf', d, SREG.CBUF, x.ldp('audigy.open.read_cbuf', s + S.CBUF));
      x.wrReg('audigy.open.write_csize', d, SREG.CSIZE, RING_BYTES);
      x.wrReg('audigy.open.write_cper', d, SREG.CPER, PERIOD_BYTES);
    }
    x.wrReg('audigy.open.write_fmt', d, SREG.FMT, x.ld('audigy.open.read_fmt', s + S.FMT));
    x.wrReg('audigy.open.write_rate', d, SREG.RATE, x.ld('audigy.open.read_rate', s + S.RATE));
    x.call('audigy.open.request_irq', [x.ld('audigy.open.irq', s + S.IRQ)], (line) => this.k.requestIrq(line));
    x.wrReg('audigy.open.ier', d, SREG.IER, ISR_PLAY | ISR_CAPTURE);
    x.st('audigy.open.mode', s + S.MODE, mode);
    return 0;
  }

  release(s: number): number {
    const x = this.x, d = this.dev;
    const mode = x.ld('audigy.release.mode', s + S.MODE);
    x.wrReg('audigy.release.stop', d, SREG.CTL, 0);
    x.wrReg('audigy.release.ier', d, SREG.IER, 0);
    x.call('audigy.release.free_irq', [x.ld('audigy.release.irq', s + S.IRQ)], (line) => this.k.freeIrq(line));
    if (x.br('audigy.release.had_play', (mode & MODE_PLAY) !== 0)) x.call('audigy.release.kfree_play', [x.ldp('audigy.release.pbuf', s + S.PBUF)], (p) => this.k.kfree(p));
    if (x.br('audigy.release.had_capture', (mode & MODE_CAPTURE) !== 0)) x.call('audigy.release.kfree_capture', [x.ldp('audigy.release.cbuf', s + S.CBUF)], (p) => this.k.kfree(p));
    x.st('audigy.release.clear_mode', s + S.MODE, 0);
    return 0;
  }

  write(s: number, buf: number, len: number): number {
    const x = this.x, d = this.dev;
    if (!x.br('audigy.write.open_for_play', (x.ld('audigy.write.mode', s + S.MODE) & MODE_PLAY) !== 0)) return EBADF;
    const appl = x.ld('audigy.write.appl', s + S.APPL);
    const hwp = x.ld('audigy.write.hwp', s + S.HWP);
    const n = Math.min(len, RING_BYTES - (appl - hwp));
    if (x.br('audigy.write.full', n <= 0)) return 0;
    const pbuf = x.ldp('audigy.write.pbuf', s + S.PBUF);
    const off = appl % RING_BYTES;
    const first = Math.min(n, RING_BYTES - off);
    x.copy('audigy.write.copy', pbuf + off, buf, first);
    if (x.br('audigy.write.wraps', n > first)) x.copy('audigy.write.copy_wrap', pbuf, buf + first, n - first);
    x.st('audigy.write.advance', s + S.APPL, appl + n);
    if (!x.br('audigy.write.running', x.ld('audigy.write.read_running', s + S.RUNNING) !== 0)) {
      x.st('audigy.write.set_running', s + S.RUNNING, 1);
      x.wrReg('audigy.write.start', d, SREG.CTL, x.rdReg('audigy.write.ctl', d, SREG.CTL) | CTL_PLAY);
    }
    return n;
  }

  read(s: number, buf: number, len: number): number {
    const x = this.x;
    if (!x.br('audigy.read.open_for_capture', (x.ld('audigy.read.mode', s + S.MODE) & MODE_CAPTURE) !== 0)) return EBADF;
    // OSS triggers capture on the first read, once the format is set.
    if (!x.br('audigy.read.capturing', x.ld('audigy.read.crunning', s + S.CRUNNING) !== 0)) {
      x.st('audigy.read.set_crunning', s + S.CRUNNING, 1);
      x.wrReg('audigy.read.start', this.dev, SREG.CTL, x.rdReg('audigy.read.ctl', this.dev, SREG.CTL) | CTL_CAPTURE);
    }
    let cappl = x.ld('audigy.read.cappl', s + S.CAPPL);
    const chwp = x.ld('audigy.read.chwp', s + S.CHWP);
    if (x.br('audigy.read.overrun', chwp - cappl > RING_BYTES)) cappl = chwp - RING_BYTES; // the oldest data was overwritten
    const n = Math.min(len, chwp - cappl);
    if (x.br('audigy.read.empty', n <= 0)) return 0;
    const cbuf = x.ldp('audigy.read.cbuf', s + S.CBUF);
    const off = cappl % RING_BYTES;
    const first = Math.min(n, RING_BYTES - off);
    x.copy('audigy.read.copy', buf, cbuf + off, first);
    if (x.br('audigy.read.wraps', n > first)) x.copy('audigy.read.copy_wrap', buf + first, cbuf, n - first);
    x.st('audigy.read.advance', s + S.CAPPL, cappl + n);
    return n;
  }

  ioctl(s: number, cmd: number, arg: number): number {
    const x = this.x, d = this.dev;
    const fmt = x.ld('audigy.ioctl.fmt', s + S.FMT);
    switch (cmd) {
      case SNDCTL.SET_FORMAT: {
        if (x.br('audigy.ioctl.format_invalid', arg !== 8 && arg !== 16)) return EINVAL;
        x.st('audigy.ioctl.store_format', s + S.FMT, (fmt & ~0xff) | arg);
        x.wrReg('audigy.ioctl.write_format', d, SREG.FMT, x.ld('audigy.ioctl.read_format', s + S.FMT));
        return 0;
      }
      case SNDCTL.SET_CHANNELS: {
        if (x.br('audigy.ioctl.channels_invalid', arg !== 1 && arg !== 2)) return EINVAL;
        x.st('audigy.ioctl.store_channels', s + S.FMT, (fmt & 0xff) | (arg << 8));
        x.wrReg('audigy.ioctl.write_channels', d, SREG.FMT, x.ld('audigy.ioctl.read_channels', s + S.FMT));
        return 0;
      }
      case SNDCTL.SET_RATE: {
        if (x.br('audigy.ioctl.rate_invalid', arg < 4000 || arg > 48000)) return EINVAL;
        x.st('audigy.ioctl.store_rate', s + S.RATE, arg);
        x.wrReg('audigy.ioctl.write_rate', d, SREG.RATE, x.ld('audigy.ioctl.read_rate', s + S.RATE));
        return 0;
      }
      case SNDCTL.SET_VOLUME: {
        if (x.br('audigy.ioctl.volume_invalid', arg > 100)) return EINVAL;
        x.st('audigy.ioctl.store_volume', s + S.VOL, arg);
        x.wrReg('audigy.ioctl.write_volume', d, SREG.VOL, x.ld('audigy.ioctl.read_volume', s + S.VOL));
        return 0;
      }
      case SNDCTL.GET_CAPS: return x.ld('audigy.ioctl.caps', s + S.CAPS);
      case SNDCTL.GET_OSPACE: return RING_BYTES - (x.ld('audigy.ioctl.ospace_appl', s + S.APPL) - x.ld('audigy.ioctl.ospace_hwp', s + S.HWP));
      case SNDCTL.RESET: {
        x.wrReg('audigy.ioctl.reset_stop', d, SREG.CTL, x.rdReg('audigy.ioctl.reset_ctl', d, SREG.CTL) & ~CTL_PLAY);
        x.st('audigy.ioctl.reset_appl', s + S.APPL, x.ld('audigy.ioctl.reset_hwp', s + S.HWP));
        x.st('audigy.ioctl.reset_running', s + S.RUNNING, 0);
        return 0;
      }
      default: return EINVAL;
    }
  }

  interrupt(s: number): void {
    const x = this.x, d = this.dev;
    if (!x.irq('audigy.isr.entry')) return;
    const isr = x.rdReg('audigy.isr.status', d, SREG.ISR);
    if (x.br('audigy.isr.play', (isr & ISR_PLAY) !== 0)) {
      const hwp = x.ld('audigy.isr.hwp', s + S.HWP) + PERIOD_BYTES;
      x.st('audigy.isr.store_hwp', s + S.HWP, hwp);
      if (x.br('audigy.isr.underrun', hwp >= x.ld('audigy.isr.appl', s + S.APPL))) {
        // Nothing new to play: stop the DMA engine until the next write restarts it.
        x.wrReg('audigy.isr.stop_play', d, SREG.CTL, x.rdReg('audigy.isr.ctl', d, SREG.CTL) & ~CTL_PLAY);
        x.st('audigy.isr.not_running', s + S.RUNNING, 0);
        x.st('audigy.isr.align_appl', s + S.APPL, hwp);
      }
    }
    if (x.br('audigy.isr.capture', (isr & ISR_CAPTURE) !== 0)) {
      x.st('audigy.isr.store_chwp', s + S.CHWP, x.ld('audigy.isr.chwp', s + S.CHWP) + PERIOD_BYTES);
    }
    x.call('audigy.isr.wake', [], () => this.k.wakeUp());
  }
}

export const audigy: DriverModule & { createDevice(k: import('../../kernel/kernel.js').Kernel, irq: number): SoundCard } = {
  id: 'audigy',
  cls: 'sound',
  description: 'Sound Blaster Audigy-like card: DMA ring buffers in periods, format/rate/volume (sound class)',
  createDevice: (k, irq) => new SoundCard(k, 'audigy-card0', irq),
  create: (ctx, api, dev: DeviceModel) => new Audigy(ctx, api as SoundKernelApi, dev as SoundCard),
};
