// A SoundBlaster-16-like driver (OSS style, the paper's `sb`). It talks to the DSP a byte at a
// time, polling the busy bit before each byte; it programs the chipset's 8237 DMA channel (mask,
// flip-flop, mode, address, page, count, unmask) for an auto-init transfer over a ring in its
// own domain that must not cross a 64 KiB boundary, then starts the DSP with a rate and a
// transfer command; it pauses the DSP on underrun and continues it on the next write; on the
// interrupt it reads the cause from the mixer and acknowledges it by reading a port. The
// volume is the mixer's master level. Half duplex: one transfer at a time. Every access goes
// through a fault site; all its state is in its private struct.
import type { ExecContext } from '../../sim/exec.js';
import type { SoundKernelApi } from '../../kernel/soundcore.js';
import { SNDCTL, MODE_PLAY, MODE_CAPTURE } from '../../kernel/soundcore.js';
import type { DeviceModel } from '../../devices/device-model.js';
import { Sb16Card, SB_PORT, DSP, DSP_MODE_STEREO, DSP_MODE_SIGNED, MIXER, IRQ_STATUS_8, IRQ_STATUS_16, DSP_BUSY, DATA_AVAILABLE, RESET_ACK, DMA8_CHANNEL, DMA16_CHANNEL } from '../../devices/sb16.js';
import { DMA_MODE, DMA_PORT } from '../../devices/isa-dma.js';
import type { DriverModule } from '../types.js';
import { ENOMEM, EINVAL, ENODEV, EIO } from '../types.js';

const EBADF = -9;
const MAGIC = 0x5b160001;
/** One DSP block per interrupt: the 2 KiB a write hands over. */
const BLOCK = 2048;
const BLOCKS = 4;
const RING = BLOCK * BLOCKS;
/** Polls of the busy bit before giving up on the DSP. */
const DSP_POLLS = 64;
const PAGE_PORT: Record<number, number> = { [DMA8_CHANNEL]: 0x83, [DMA16_CHANNEL]: 0x8b };
/** IRQ line -> mixer IRQ select bit. */
const IRQ_BITS: Record<number, number> = { 2: 0x1, 5: 0x2, 7: 0x4, 10: 0x8 };
const STOPPED = 0, RUNNING = 1, PAUSED = 2;
/** Private struct layout. */
const S = {
  MAGIC: 0, MODE: 4, BITS: 8, CHANNELS: 12, RATE: 16, VOL: 20, CAPS: 24, PBUF: 28, APPL: 32, HWP: 36, PSTATE: 40,
  CBUF: 44, CAPPL: 48, CHWP: 52, CSTATE: 56, IRQ: 60, VERSION: 64, WIDE: 68, DSP_TIMEOUTS: 72, SIZE: 80,
} as const;

class Sb16 {
  constructor(private readonly x: ExecContext, private readonly k: SoundKernelApi, private readonly dev: Sb16Card) {}

  // ---- DSP and mixer access ----------------------------------------------------------------
  /** Write a byte to the DSP once its busy bit clears; false if it stayed busy. */
  private dspWrite(site: string, s: number, v: number): boolean {
    const x = this.x, d = this.dev;
    let polls = x.bound(`${site}.polls`, DSP_POLLS);
    while (polls-- > 0) {
      if (!x.br(`${site}.busy`, (x.rdReg(`${site}.status`, d, SB_PORT.WRITE) & DSP_BUSY) !== 0)) {
        x.wrReg(site, d, SB_PORT.WRITE, v);
        return true;
      }
    }
    x.st(`${site}.timeout`, s + S.DSP_TIMEOUTS, x.ld(`${site}.timeouts`, s + S.DSP_TIMEOUTS) + 1);
    return false;
  }

  /** Read a byte the DSP has for us; -1 if none came. */
  private dspRead(site: string): number {
    const x = this.x, d = this.dev;
    let polls = x.bound(`${site}.polls`, DSP_POLLS);
    while (polls-- > 0) {
      if (x.br(`${site}.ready`, (x.rdReg(`${site}.status`, d, SB_PORT.RSTATUS) & DATA_AVAILABLE) !== 0)) return x.rdReg(site, d, SB_PORT.READ);
    }
    return -1;
  }

  private mixerWrite(site: string, index: number, v: number): void {
    this.x.wrReg(`${site}.index`, this.dev, SB_PORT.MIXER_ADDR, index);
    this.x.wrReg(site, this.dev, SB_PORT.MIXER_DATA, v);
  }

  // ---- entry points ----------------------------------------------------------------------------
  probe(): number {
    const x = this.x, d = this.dev;
    const s = x.alloc('sb16.probe.alloc_private', S.SIZE, (n) => x.call('sb16.probe.kmalloc', [n], (z) => this.k.kmalloc(z)));
    if (x.br('sb16.probe.private_null', s === 0)) return ENOMEM;
    x.st('sb16.probe.magic', s + S.MAGIC, MAGIC);
    // DSP reset: 1 then 0 on the reset port; the DSP answers 0xAA.
    x.wrReg('sb16.probe.reset_high', d, SB_PORT.RESET, 1);
    x.wrReg('sb16.probe.reset_low', d, SB_PORT.RESET, 0);
    if (x.br('sb16.probe.no_dsp', this.dspRead('sb16.probe.reset_ack') !== RESET_ACK)) return this.unwind(s);
    this.dspWrite('sb16.probe.get_version', s, DSP.VERSION);
    const major = this.dspRead('sb16.probe.version_major'), minor = this.dspRead('sb16.probe.version_minor');
    x.st('sb16.probe.version', s + S.VERSION, ((major & 0xff) << 8) | (minor & 0xff));
    // 16-bit PCM needs DSP 4.x (a SoundBlaster 16).
    if (x.br('sb16.probe.too_old', major < 4)) return this.unwind(s);
    const irqBit = IRQ_BITS[d.irqLine] ?? 0;
    if (x.br('sb16.probe.irq_unsupported', irqBit === 0)) return this.unwind(s);
    this.mixerWrite('sb16.probe.mixer_reset', MIXER.RESET, 0);
    this.mixerWrite('sb16.probe.irq_select', MIXER.IRQ_SELECT, irqBit);
    this.mixerWrite('sb16.probe.dma_select', MIXER.DMA_SELECT, (1 << DMA8_CHANNEL) | (1 << DMA16_CHANNEL));
    x.st('sb16.probe.irq', s + S.IRQ, d.irqLine);
    // Capabilities: 8 and 16-bit, mono and stereo, 5-45 kHz; the DSP version in the high half.
    x.st('sb16.probe.caps', s + S.CAPS, ((x.ld('sb16.probe.read_version', s + S.VERSION) << 16) | 0x0303) >>> 0);
    x.st('sb16.probe.bits', s + S.BITS, 8);
    x.st('sb16.probe.channels', s + S.CHANNELS, 1);
    x.st('sb16.probe.rate', s + S.RATE, 8000);
    this.setVolume('sb16.probe.volume', s, 75);
    return s;
  }

  private unwind(s: number): number {
    this.x.call('sb16.probe.unwind', [s], (p) => this.k.kfree(p));
    return ENODEV;
  }

  private setVolume(site: string, s: number, pct: number): void {
    const x = this.x;
    x.st(`${site}.store`, s + S.VOL, pct);
    const level = Math.round((x.ld(`${site}.load`, s + S.VOL) * 255) / 100);
    this.mixerWrite(`${site}.left`, MIXER.MASTER_L, level);
    this.mixerWrite(`${site}.right`, MIXER.MASTER_R, level);
  }

  /** A ring for a direction, in one 64 KiB DMA page (the 8237's address counter wraps there). */
  private ring(site: string): number {
    const x = this.x;
    const buf = x.alloc(site, RING, (n) => x.call(`${site}.kmalloc`, [n], (z) => this.k.kmalloc(z)));
    if (x.br(`${site}.null`, buf === 0)) return 0;
    if (x.br(`${site}.crosses_64k`, buf >>> 16 !== (buf + RING - 1) >>> 16)) { x.call(`${site}.kfree`, [buf], (p) => this.k.kfree(p)); return 0; }
    return buf;
  }

  open(s: number, mode: number): number {
    const x = this.x;
    // Half duplex: the DSP runs one transfer at a time.
    if (x.br('sb16.open.bad_mode', mode !== MODE_PLAY && mode !== MODE_CAPTURE)) return EINVAL;
    x.st('sb16.open.default_bits', s + S.BITS, 8);
    x.st('sb16.open.default_channels', s + S.CHANNELS, 1);
    x.st('sb16.open.default_rate', s + S.RATE, 8000);
    if (x.br('sb16.open.play', mode === MODE_PLAY)) {
      const buf = this.ring('sb16.open.play_ring');
      if (buf === 0) return ENOMEM;
      x.st('sb16.open.pbuf', s + S.PBUF, buf);
      for (const off of [S.APPL, S.HWP, S.PSTATE]) x.st('sb16.open.reset_play', s + off, 0);
    } else {
      const buf = this.ring('sb16.open.capture_ring');
      if (buf === 0) return ENOMEM;
      x.st('sb16.open.cbuf', s + S.CBUF, buf);
      for (const off of [S.CAPPL, S.CHWP, S.CSTATE]) x.st('sb16.open.reset_capture', s + off, 0);
    }
    x.call('sb16.open.request_irq', [x.ld('sb16.open.irq', s + S.IRQ)], (line) => this.k.requestIrq(line));
    if (!this.dspWrite('sb16.open.speaker_on', s, DSP.SPEAKER_ON)) return EIO;
    x.st('sb16.open.mode', s + S.MODE, mode);
    return 0;
  }

  release(s: number): number {
    const x = this.x;
    const mode = x.ld('sb16.release.mode', s + S.MODE);
    this.halt('sb16.release.halt', s);
    this.dspWrite('sb16.release.speaker_off', s, DSP.SPEAKER_OFF);
    x.call('sb16.release.free_irq', [x.ld('sb16.release.irq', s + S.IRQ)], (line) => this.k.freeIrq(line));
    if (x.br('sb16.release.had_play', mode === MODE_PLAY)) x.call('sb16.release.kfree_play', [x.ldp('sb16.release.pbuf', s + S.PBUF)], (p) => this.k.kfree(p));
    if (x.br('sb16.release.had_capture', mode === MODE_CAPTURE)) x.call('sb16.release.kfree_capture', [x.ldp('sb16.release.cbuf', s + S.CBUF)], (p) => this.k.kfree(p));
    x.st('sb16.release.clear_mode', s + S.MODE, 0);
    return 0;
  }

  /** Program the 8237 channel for an auto-init transfer over a ring. */
  private programDma(site: string, wide: boolean, buf: number, input: boolean): void {
    const x = this.x, d = this.dev;
    const ch = wide ? DMA16_CHANNEL : DMA8_CHANNEL;
    const mask = wide ? DMA_PORT.MASK16 : DMA_PORT.MASK8, ff = wide ? DMA_PORT.FLIPFLOP16 : DMA_PORT.FLIPFLOP8;
    const addrPort = wide ? DMA_PORT.ADDR16(ch) : DMA_PORT.ADDR8(ch), countPort = wide ? DMA_PORT.COUNT16(ch) : DMA_PORT.COUNT8(ch);
    x.wrReg(`${site}.mask`, d, mask, 4 | (ch & 3));
    x.wrReg(`${site}.flipflop`, d, ff, 0);
    x.wrReg(`${site}.mode`, d, wide ? DMA_PORT.MODE16 : DMA_PORT.MODE8, DMA_MODE.SINGLE | DMA_MODE.AUTO | (input ? DMA_MODE.WRITE : DMA_MODE.READ) | (ch & 3));
    // The 16-bit channels count words and take a word address.
    const addr = wide ? (buf >>> 1) & 0xffff : buf & 0xffff;
    x.wrReg(`${site}.addr_lo`, d, addrPort, addr & 0xff);
    x.wrReg(`${site}.addr_hi`, d, addrPort, addr >>> 8);
    x.wrReg(`${site}.page`, d, PAGE_PORT[ch], (buf >>> 16) & 0xff);
    const count = (wide ? RING / 2 : RING) - 1;
    x.wrReg(`${site}.count_lo`, d, countPort, count & 0xff);
    x.wrReg(`${site}.count_hi`, d, countPort, count >>> 8);
    x.wrReg(`${site}.unmask`, d, mask, ch & 3);
  }

  /** Start the DSP: rate, then an auto-init transfer of one block per interrupt. */
  private startDsp(site: string, s: number, input: boolean): void {
    const x = this.x;
    const wide = x.ld(`${site}.bits`, s + S.BITS) === 16;
    const stereo = x.ld(`${site}.channels`, s + S.CHANNELS) === 2;
    const rate = x.ld(`${site}.rate`, s + S.RATE);
    x.st(`${site}.wide`, s + S.WIDE, wide ? 1 : 0);
    this.programDma(`${site}.dma`, wide, x.ldp(`${site}.buf`, s + (input ? S.CBUF : S.PBUF)), input);
    this.dspWrite(`${site}.rate_cmd`, s, input ? DSP.RATE_IN : DSP.RATE_OUT);
    this.dspWrite(`${site}.rate_hi`, s, (rate >>> 8) & 0xff);
    this.dspWrite(`${site}.rate_lo`, s, rate & 0xff);
    const len = (wide ? BLOCK / 2 : BLOCK) - 1;
    this.dspWrite(`${site}.cmd`, s, (wide ? DSP.IO16 : DSP.IO8) | DSP.IO_AUTO | DSP.IO_FIFO | (input ? DSP.IO_INPUT : 0));
    this.dspWrite(`${site}.mode`, s, (stereo ? DSP_MODE_STEREO : 0) | (wide ? DSP_MODE_SIGNED : 0));
    this.dspWrite(`${site}.len_lo`, s, len & 0xff);
    this.dspWrite(`${site}.len_hi`, s, len >>> 8);
  }

  private pauseCmd(site: string, s: number, pause: boolean): void {
    const wide = this.x.ld(`${site}.wide`, s + S.WIDE) !== 0;
    this.dspWrite(site, s, pause ? (wide ? DSP.PAUSE16 : DSP.PAUSE8) : (wide ? DSP.CONTINUE16 : DSP.CONTINUE8));
  }

  /** Stop whatever transfer runs: pause, leave auto-init, mask the DMA channel. */
  private halt(site: string, s: number): void {
    const x = this.x, d = this.dev;
    const running = x.ld(`${site}.pstate`, s + S.PSTATE) !== STOPPED || x.ld(`${site}.cstate`, s + S.CSTATE) !== STOPPED;
    if (!x.br(`${site}.running`, running)) return;
    const wide = x.ld(`${site}.wide`, s + S.WIDE) !== 0;
    this.pauseCmd(`${site}.pause`, s, true);
    this.dspWrite(`${site}.exit_auto`, s, wide ? DSP.EXIT_AUTO16 : DSP.EXIT_AUTO8);
    x.wrReg(`${site}.mask`, d, wide ? DMA_PORT.MASK16 : DMA_PORT.MASK8, 4 | ((wide ? DMA16_CHANNEL : DMA8_CHANNEL) & 3));
    x.st(`${site}.pstopped`, s + S.PSTATE, STOPPED);
    x.st(`${site}.cstopped`, s + S.CSTATE, STOPPED);
  }

  write(s: number, buf: number, len: number): number {
    const x = this.x;
    if (!x.br('sb16.write.open_for_play', x.ld('sb16.write.mode', s + S.MODE) === MODE_PLAY)) return EBADF;
    const appl = x.ld('sb16.write.appl', s + S.APPL);
    const hwp = x.ld('sb16.write.hwp', s + S.HWP);
    const n = Math.min(len, RING - (appl - hwp));
    if (x.br('sb16.write.full', n <= 0)) return 0;
    const ring = x.ldp('sb16.write.pbuf', s + S.PBUF);
    const off = appl % RING;
    const first = Math.min(n, RING - off);
    x.copy('sb16.write.copy', ring + off, buf, first);
    if (x.br('sb16.write.wraps', n > first)) x.copy('sb16.write.copy_wrap', ring, buf + first, n - first);
    x.st('sb16.write.advance', s + S.APPL, appl + n);
    const state = x.ld('sb16.write.state', s + S.PSTATE);
    if (x.br('sb16.write.stopped', state === STOPPED)) {
      // The DMA ring starts at its base: the stream starts there.
      x.st('sb16.write.align_hwp', s + S.HWP, appl - off);
      this.startDsp('sb16.write.start', s, false);
      x.st('sb16.write.set_running', s + S.PSTATE, RUNNING);
    } else if (x.br('sb16.write.paused', state === PAUSED)) {
      this.pauseCmd('sb16.write.continue', s, false);
      x.st('sb16.write.resume', s + S.PSTATE, RUNNING);
    }
    return n;
  }

  read(s: number, buf: number, len: number): number {
    const x = this.x;
    if (!x.br('sb16.read.open_for_capture', x.ld('sb16.read.mode', s + S.MODE) === MODE_CAPTURE)) return EBADF;
    // OSS triggers capture on the first read, once the format is set.
    if (x.br('sb16.read.stopped', x.ld('sb16.read.cstate', s + S.CSTATE) === STOPPED)) {
      for (const off of [S.CAPPL, S.CHWP]) x.st('sb16.read.reset_pointers', s + off, 0);
      this.startDsp('sb16.read.start', s, true);
      x.st('sb16.read.set_running', s + S.CSTATE, RUNNING);
    }
    let cappl = x.ld('sb16.read.cappl', s + S.CAPPL);
    const chwp = x.ld('sb16.read.chwp', s + S.CHWP);
    // The DMA went round the ring past what was read: the oldest blocks are gone.
    if (x.br('sb16.read.overrun', chwp - cappl > RING)) cappl = chwp - RING;
    const n = Math.min(len, chwp - cappl);
    if (x.br('sb16.read.empty', n <= 0)) return 0;
    const ring = x.ldp('sb16.read.cbuf', s + S.CBUF);
    const off = cappl % RING;
    const first = Math.min(n, RING - off);
    x.copy('sb16.read.copy', buf, ring + off, first);
    if (x.br('sb16.read.wraps', n > first)) x.copy('sb16.read.copy_wrap', buf + first, ring, n - first);
    x.st('sb16.read.advance', s + S.CAPPL, cappl + n);
    return n;
  }

  ioctl(s: number, cmd: number, arg: number): number {
    const x = this.x;
    switch (cmd) {
      case SNDCTL.SET_FORMAT:
        if (x.br('sb16.ioctl.format_invalid', arg !== 8 && arg !== 16)) return EINVAL;
        this.reconfigure('sb16.ioctl.format', s, S.BITS, arg);
        return 0;
      case SNDCTL.SET_CHANNELS:
        if (x.br('sb16.ioctl.channels_invalid', arg !== 1 && arg !== 2)) return EINVAL;
        this.reconfigure('sb16.ioctl.channels', s, S.CHANNELS, arg);
        return 0;
      case SNDCTL.SET_RATE:
        if (x.br('sb16.ioctl.rate_invalid', arg < 4000 || arg > 48000)) return EINVAL;
        this.reconfigure('sb16.ioctl.rate', s, S.RATE, arg);
        return 0;
      case SNDCTL.SET_VOLUME:
        if (x.br('sb16.ioctl.volume_invalid', arg > 100)) return EINVAL;
        this.setVolume('sb16.ioctl.volume', s, arg);
        return 0;
      case SNDCTL.GET_CAPS: return x.ld('sb16.ioctl.caps', s + S.CAPS);
      case SNDCTL.GET_OSPACE: return RING - (x.ld('sb16.ioctl.ospace_appl', s + S.APPL) - x.ld('sb16.ioctl.ospace_hwp', s + S.HWP));
      case SNDCTL.RESET: {
        if (x.br('sb16.ioctl.reset_running', x.ld('sb16.ioctl.reset_state', s + S.PSTATE) === RUNNING)) {
          this.pauseCmd('sb16.ioctl.reset_pause', s, true);
          x.st('sb16.ioctl.reset_paused', s + S.PSTATE, PAUSED);
        }
        x.st('sb16.ioctl.reset_appl', s + S.APPL, x.ld('sb16.ioctl.reset_hwp', s + S.HWP));
        return 0;
      }
      default: return EINVAL;
    }
  }

  /** A format, channel or rate change: the DSP takes them with the next transfer command, so a
   *  transfer that runs is stopped and the ring starts over. */
  private reconfigure(site: string, s: number, field: number, v: number): void {
    const x = this.x;
    x.st(`${site}.store`, s + field, v);
    const running = x.ld(`${site}.pstate`, s + S.PSTATE) !== STOPPED || x.ld(`${site}.cstate`, s + S.CSTATE) !== STOPPED;
    if (!x.br(`${site}.running`, running)) return;
    this.halt(`${site}.halt`, s);
    for (const off of [S.APPL, S.HWP, S.CAPPL, S.CHWP]) x.st(`${site}.restart_pointers`, s + off, 0);
  }

  interrupt(s: number): void {
    const x = this.x, d = this.dev;
    if (!x.irq('sb16.isr.entry')) return;
    x.wrReg('sb16.isr.status_index', d, SB_PORT.MIXER_ADDR, MIXER.IRQ_STATUS);
    const cause = x.rdReg('sb16.isr.status', d, SB_PORT.MIXER_DATA);
    if (x.br('sb16.isr.none', (cause & (IRQ_STATUS_8 | IRQ_STATUS_16)) === 0)) return;
    // Acknowledge by reading the port of the transfer width that interrupted.
    if (x.br('sb16.isr.is_16', (cause & IRQ_STATUS_16) !== 0)) x.rdReg('sb16.isr.ack16', d, SB_PORT.ACK16);
    if (x.br('sb16.isr.is_8', (cause & IRQ_STATUS_8) !== 0)) x.rdReg('sb16.isr.ack8', d, SB_PORT.RSTATUS);
    if (x.br('sb16.isr.playing', x.ld('sb16.isr.mode', s + S.MODE) === MODE_PLAY)) {
      const hwp = x.ld('sb16.isr.hwp', s + S.HWP) + BLOCK;
      x.st('sb16.isr.store_hwp', s + S.HWP, hwp);
      if (x.br('sb16.isr.underrun', hwp >= x.ld('sb16.isr.appl', s + S.APPL) && x.ld('sb16.isr.pstate', s + S.PSTATE) === RUNNING)) {
        // Nothing new to play: pause the DSP where it is; the next write continues it.
        this.pauseCmd('sb16.isr.pause', s, true);
        x.st('sb16.isr.paused', s + S.PSTATE, PAUSED);
        x.st('sb16.isr.align_appl', s + S.APPL, hwp);
      }
    } else {
      x.st('sb16.isr.store_chwp', s + S.CHWP, x.ld('sb16.isr.chwp', s + S.CHWP) + BLOCK);
    }
    x.call('sb16.isr.wake', [], () => this.k.wakeUp());
  }
}

export const sb16: DriverModule & { createDevice(k: import('../../kernel/kernel.js').Kernel, irq: number): Sb16Card } = {
  id: 'sb16',
  cls: 'sound',
  description: 'SoundBlaster 16-like ISA card: DSP command port with busy bit, 8237 DMA (auto-init, 64 KiB pages), mixer (sound class)',
  createDevice: (k, irq) => new Sb16Card(k, 'sb16-card0', irq),
  create: (ctx, api, dev: DeviceModel) => new Sb16(ctx, api as SoundKernelApi, dev as Sb16Card),
};
