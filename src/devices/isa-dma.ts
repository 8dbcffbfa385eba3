// An 8237-style ISA DMA controller pair, as the PC chipset has it: channels 0-3 move bytes,
// channels 4-7 move 16-bit words. Each channel has a page register (address bits 16-23), a base
// and current address and count (programmed a byte at a time through a flip-flop), a mode
// (single-cycle or auto-initialise, memory-to-device or device-to-memory) and a mask bit.
// The address counter is 16 bits: a transfer that reaches the end of its 64 KiB page (128 KiB
// for the word channels) wraps to the start of the same page, the ISA trap drivers must avoid.
// A single-cycle transfer masks its channel at terminal count; auto-init reloads the base.
import type { Kernel } from '../kernel/kernel.js';
import { DMA } from '../sim/memory.js';
import { bytesToOverwrite } from '../sim/slab.js';

/** Mode register bits (written with the channel number in bits 0-1). */
export const DMA_MODE = { WRITE: 0x04 /* device to memory */, READ: 0x08 /* memory to device */, AUTO: 0x10, SINGLE: 0x40 } as const;

/** Port numbers of the two controllers and the page registers. */
export const DMA_PORT = {
  /** 8-bit controller: address/count of channel n at 2n and 2n+1. */
  ADDR8: (ch: number) => (ch & 3) * 2, COUNT8: (ch: number) => (ch & 3) * 2 + 1,
  MASK8: 0x0a, MODE8: 0x0b, FLIPFLOP8: 0x0c,
  /** 16-bit controller: address/count of channel n at 0xc0 + 4(n-4) and + 2. */
  ADDR16: (ch: number) => 0xc0 + (ch & 3) * 4, COUNT16: (ch: number) => 0xc2 + (ch & 3) * 4,
  MASK16: 0xd4, MODE16: 0xd6, FLIPFLOP16: 0xd8,
} as const;
const PAGE_PORTS = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a];

interface Channel { page: number; baseAddr: number; addr: number; baseCount: number; count: number; mode: number; masked: boolean }

export interface DmaState { channels: Channel[]; flip: boolean[] }

export class IsaDma {
  private ch: Channel[] = Array.from({ length: 8 }, () => ({ page: 0, baseAddr: 0, addr: 0, baseCount: 0, count: 0, mode: 0, masked: true }));
  /** Byte flip-flop of each controller: false = the next access is the low byte. */
  private flip = [false, false];
  /** Terminal counts reached (what a single-cycle transfer ends with). */
  terminalCounts = 0;

  constructor(private readonly k: Kernel) {}

  /** Does `port` belong to the controllers? */
  static owns(port: number): boolean {
    return (port >= 0 && port <= 0x0f) || (port >= 0xc0 && port <= 0xdf) || PAGE_PORTS.includes(port);
  }

  write(port: number, v: number): void {
    v &= 0xff;
    const page = PAGE_PORTS.indexOf(port);
    if (page >= 0) { this.ch[page].page = v; return; }
    const wide = port >= 0xc0 ? 1 : 0;
    const base = wide * 4;
    const rel = wide ? (port - 0xc0) >> 1 : port; // 16-bit controller ports are word-spaced
    if (rel <= 7) {
      const c = this.ch[base + (rel >> 1)];
      const hi = this.flip[wide];
      this.flip[wide] = !hi;
      if (rel & 1) { c.baseCount = hi ? (c.baseCount & 0xff) | (v << 8) : (c.baseCount & 0xff00) | v; c.count = c.baseCount; }
      else { c.baseAddr = hi ? (c.baseAddr & 0xff) | (v << 8) : (c.baseAddr & 0xff00) | v; c.addr = c.baseAddr; }
      return;
    }
    switch (rel) {
      case 0x0a: this.ch[base + (v & 3)].masked = (v & 4) !== 0; return; // single mask
      case 0x0b: this.ch[base + (v & 3)].mode = v & 0xfc; return;
      case 0x0c: this.flip[wide] = false; return;
      case 0x0d: this.reset(wide); return; // master clear
    }
  }

  read(port: number): number {
    const page = PAGE_PORTS.indexOf(port);
    if (page >= 0) return this.ch[page].page;
    const wide = port >= 0xc0 ? 1 : 0;
    const rel = wide ? (port - 0xc0) >> 1 : port;
    if (rel > 7) return 0xff;
    const c = this.ch[wide * 4 + (rel >> 1)];
    const hi = this.flip[wide];
    this.flip[wide] = !hi;
    const v = rel & 1 ? c.count : c.addr;
    return hi ? (v >>> 8) & 0xff : v & 0xff;
  }

  private reset(wide: number): void {
    for (let i = 0; i < 4; i++) this.ch[wide * 4 + i].masked = true;
    this.flip[wide] = false;
  }

  /** The physical address channel `n` transfers at next. */
  address(n: number): number {
    const c = this.ch[n];
    return n >= 4 ? ((c.page & 0xfe) << 16) | (c.addr << 1) : (c.page << 16) | c.addr;
  }

  /** The device on channel `n` asks for `bytes` bytes (memory to device); null when the channel
   *  is masked, programmed the other way, or reached terminal count before the block was done.
   *  Throws a MachineFault when the address is not mapped. */
  fetch(n: number, bytes: number): Uint8Array | null {
    const c = this.ch[n];
    if (c.masked || (c.mode & DMA_MODE.READ) === 0) return null;
    const out = bytesToOverwrite(bytes), mem = this.k.mem, unit = n >= 4 ? 2 : 1;
    let done = 0;
    for (let left = Math.floor(bytes / unit); left > 0 && !c.masked;) {
      const units = this.runUnits(n, left), phys = this.address(n), len = units * unit;
      mem.checkMapped(phys, len, null);
      out.set(mem.bytes.subarray(phys, phys + len), done);
      done += len; left -= units;
      this.advance(n, units);
    }
    return done === bytes ? out : null; // whole (every byte written) or nothing
  }

  /** The device on channel `n` delivers `data` (device to memory); false as for fetch. */
  deliver(n: number, data: Uint8Array): boolean {
    const c = this.ch[n];
    if (c.masked || (c.mode & DMA_MODE.WRITE) === 0) return false;
    const mem = this.k.mem, unit = n >= 4 ? 2 : 1;
    let done = 0;
    for (let left = Math.floor(data.length / unit); left > 0 && !c.masked;) {
      const units = this.runUnits(n, left), phys = this.address(n), len = units * unit;
      mem.writeBytes(phys, data.subarray(done, done + len), DMA);
      done += len; left -= units;
      this.advance(n, units);
    }
    return done === data.length;
  }

  /** A transfer moves in physical pieces: each at the channel's address, up to where the address
   *  wraps inside its page or the count reaches terminal count. The units of the next piece of a
   *  transfer with `left` units to go: */
  private runUnits(n: number, left: number): number {
    const c = this.ch[n];
    return Math.min(left, 0x10000 - c.addr, c.count + 1);
  }

  /** A piece of `units` was moved (only then: a piece that faulted leaves the channel as it was):
   *  advance the address and count; terminal count reloads (auto-init) or masks the channel. */
  private advance(n: number, units: number): void {
    const c = this.ch[n], toTc = c.count + 1;
    c.addr = (c.addr + units) & 0xffff;
    if (units === toTc) {
      this.terminalCounts++;
      if (c.mode & DMA_MODE.AUTO) { c.addr = c.baseAddr; c.count = c.baseCount; } else { c.count = 0xffff; c.masked = true; }
    } else c.count -= units;
  }

  snapshot(): DmaState { return { channels: this.ch.map((c) => ({ ...c })), flip: [...this.flip] }; }
  restore(s: DmaState): void { this.ch = s.channels.map((c) => ({ ...c })); this.flip = [...s.flip]; }
  /** Mask every channel (the kernel disabled the device). */
  maskAll(): void { for (const c of this.ch) c.masked = true; }
}
