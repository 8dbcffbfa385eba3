// Replication for the sound class. The standby card sits in the same room: it hears what the
// live card hears (the microphone is a function of virtual time) and plays into the same
// speaker, muted until it is put in service. Every write the kernel gives the primary goes to the
// standby too (the bytes the primary took, from the same kernel buffer; what the standby cannot
// take yet is copied and held for it), so both rings play the same stream at the same time.
// Every read the primary answers is matched by a read of the same length from the standby
// (into a scratch buffer, compared with the primary's: a difference is counted), so the
// standby's capture runs and its pointers stay where the primary's are. Configuration calls
// (open, format, channels, rate, volume, reset) go to both and are remembered, so a new
// standby is brought to the kernel's configuration. A sound driver holds no kernel objects.
import { SNDCTL, MODE_CAPTURE, type SoundKernelApi, type SoundOps } from '../../kernel/soundcore.js';
import { OWNER_KERNEL } from '../../kernel/skb.js';
import { SKB_SLOT } from '../../kernel/layout.js';
import type { Kernel } from '../../kernel/kernel.js';
import { toBoth, countMirrored, type ClassMirror, type MirrorStats, type Replica, type ReplicaPair } from './replica.js';
import { newBytes } from '../../sim/slab.js';

const HEADER_BYTES = 16;
const CONFIG = new Set<number>([SNDCTL.SET_FORMAT, SNDCTL.SET_CHANNELS, SNDCTL.SET_RATE, SNDCTL.SET_VOLUME]);

interface SoundReplicaState {
  /** Playback bytes the standby could not take yet, oldest first. */
  pending: Uint8Array[];
  /** Captured bytes the primary returned that the standby has not read yet (it reads them
   *  when its own interrupt comes: the two cards' interrupts arrive with their own latencies). */
  owed: Uint8Array;
  /** Bytes the standby read that the primary has not returned yet. */
  ahead: Uint8Array;
  /** Its capture is lined up with the primary's stream (false for a standby loaded mid-recording). */
  aligned: boolean;
  api: SoundKernelApi;
}

const ALIGN_BYTES = 16;
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => { const c = newBytes(a.length + b.length); c.set(a); c.set(b, a.length); return c; };

/** Beyond this, the standby has stopped capturing: what it owes is forgotten (a divergence). */
const MAX_OWED = 64 * 1024;

/** Counters only the sound mirror has (merged into the strategy's stats). */
interface SoundMirrorStats extends MirrorStats { captureReads: number; captureMismatches: number; heldPlaybackBytes: number }

export class SoundMirror implements ClassMirror<SoundOps> {
  private readonly state = new Map<Replica, SoundReplicaState>();
  /** The configuration the kernel has set: the open mode and per-open settings, then the volume. */
  private openMode = 0;
  private readonly settings = new Map<number, number>();
  private volume: number | null = null;
  private readonly stats: SoundMirrorStats;

  constructor(private readonly k: Kernel, stats: MirrorStats) {
    this.stats = Object.assign(stats, { captureReads: 0, captureMismatches: 0, heldPlaybackBytes: 0 });
  }

  tapApi<A extends object>(a: A, r: Replica): A {
    const api = a as unknown as SoundKernelApi, k = this.k;
    this.state.set(r, { pending: [], owed: newBytes(0), ahead: newBytes(0), aligned: true, api });
    const tapped: SoundKernelApi = {
      ...api,
      // Each replica's interrupts reach that replica, not whichever one is live.
      requestIrq: (line) => k.requestIrq(r.inst, line, () => r.ops<SoundOps>().interrupt()),
      // A standby's period elapsed: room in its ring for what is held for it; nobody to wake.
      wakeUp: () => { if (r.live) api.wakeUp(); else k.sched.schedule(0, 'standby-snd', () => { this.drain(r); this.standbyRead(r); }, 3); },
    };
    return tapped as unknown as A;
  }

  ops(pair: ReplicaPair): SoundOps {
    const both = (call: (o: SoundOps) => number): number => toBoth(pair, call, () => countMirrored(this.k, this.stats, HEADER_BYTES, 0));
    return {
      open: (mode) => { const r = both((o) => o.open(mode)); if (r >= 0) this.openMode = mode; return r; },
      release: () => { this.openMode = 0; this.settings.clear(); return both((o) => o.release()); },
      ioctl: (cmd, arg) => {
        if (!CONFIG.has(cmd) && cmd !== SNDCTL.RESET) return pair.primary.ops<SoundOps>().ioctl(cmd, arg);
        const r = both((o) => o.ioctl(cmd, arg));
        if (r >= 0 && cmd === SNDCTL.SET_VOLUME) this.volume = arg;
        else if (r >= 0 && CONFIG.has(cmd)) this.settings.set(cmd, arg);
        return r;
      },
      write: (buf, len) => this.write(pair, buf, len),
      read: (buf, len) => this.read(pair, buf, len),
      interrupt: () => pair.primary.ops<SoundOps>().interrupt(),
    };
  }

  private write(pair: ReplicaPair, buf: number, len: number): number {
    const p = pair.primary, s = pair.standby?.ready ? pair.standby : null;
    const n = p.ops<SoundOps>().write(buf, len);
    if (!s) return n;
    // The primary failed on it: the standby, about to take over, gets the whole write.
    if (p.inst.failed && !s.inst.failed) return this.toStandby(s, buf, len, true);
    if (n > 0) this.toStandby(s, buf, n, false);
    return n;
  }

  /** Give the standby `n` bytes at `buf` (after what it holds already); the bytes it took. */
  private toStandby(s: Replica, buf: number, n: number, whole: boolean): number {
    const st = this.state.get(s)!;
    countMirrored(this.k, this.stats, HEADER_BYTES, n);
    if (st.pending.length > 0 && !whole) { st.pending.push(this.k.mem.readBytes(buf, n)); this.drain(s); return n; }
    const m = s.ops<SoundOps>().write(buf, n);
    if (m < 0 || s.inst.failed) return m;
    if (m < n && !whole) st.pending.push(this.k.mem.readBytes(buf + m, n - m));
    this.stats.heldPlaybackBytes = Math.max(this.stats.heldPlaybackBytes, this.held(st));
    return m;
  }

  private held(st: SoundReplicaState): number { return st.pending.reduce((a, b) => a + b.length, 0); }

  /** Write what is held for `r`, as much as its ring takes (through a kernel buffer). */
  private drain(r: Replica): void {
    const st = this.state.get(r);
    if (!st) return;
    while (st.pending.length > 0 && !r.inst.failed && !r.inst.destroyed) {
      const buf = this.k.skbs.alloc(OWNER_KERNEL);
      if (buf === 0) return;
      const chunk = st.pending[0];
      this.k.mem.writeBytes(buf, chunk);
      const m = r.ops<SoundOps>().write(buf, chunk.length);
      this.k.skbs.free(buf, OWNER_KERNEL);
      if (m <= 0) { if (m < 0) { st.pending = []; this.stats.mirrorDrops++; } return; }
      if (m < chunk.length) { st.pending[0] = chunk.subarray(m); return; }
      st.pending.shift();
    }
  }

  private read(pair: ReplicaPair, buf: number, len: number): number {
    const p = pair.primary, s = pair.standby?.ready ? pair.standby : null;
    const n = p.ops<SoundOps>().read(buf, len);
    if (!s) return n;
    if (p.inst.failed && !s.inst.failed) return s.ops<SoundOps>().read(buf, len);
    if (n < 0) return n;
    const st = this.state.get(s)!;
    if (n > 0) {
      st.owed = concat(st.owed, this.k.mem.readBytes(buf, n));
      if (st.owed.length > MAX_OWED) { st.owed = newBytes(0); st.ahead = newBytes(0); this.stats.mirrorDrops++; }
    }
    this.standbyRead(s, true);
    return n;
  }

  /** The standby reads what it owes (its first read starts its capture), into a scratch buffer;
   *  what it read is matched byte for byte with what the primary returned: both hear the same
   *  room. A standby loaded mid-recording first finds where its capture starts in the
   *  primary's stream (its periods begin at a different time). */
  private standbyRead(s: Replica, first = false): void {
    const st = this.state.get(s);
    if (!st || s.inst.failed || s.inst.destroyed || (st.aligned && st.owed.length === 0 && !first)) return;
    const scratch = this.k.skbs.alloc(OWNER_KERNEL);
    if (scratch === 0) { this.stats.mirrorDrops++; return; }
    const m = s.ops<SoundOps>().read(scratch, st.aligned ? Math.min(st.owed.length, SKB_SLOT) : SKB_SLOT);
    this.stats.captureReads++;
    if (m > 0) {
      countMirrored(this.k, this.stats, HEADER_BYTES, m);
      st.ahead = concat(st.ahead, this.k.mem.readBytes(scratch, m));
    }
    this.k.skbs.free(scratch, OWNER_KERNEL);
    this.match(st);
  }

  private match(st: SoundReplicaState): void {
    if (!st.aligned) {
      if (st.ahead.length < ALIGN_BYTES) return;
      const at = Buffer.from(st.owed.buffer, st.owed.byteOffset, st.owed.length).indexOf(Buffer.from(st.ahead.buffer, st.ahead.byteOffset, ALIGN_BYTES));
      if (at < 0) return;
      st.owed = st.owed.slice(at);
      st.aligned = true;
    }
    const n = Math.min(st.owed.length, st.ahead.length);
    if (n === 0) return;
    if (!Buffer.from(st.owed.buffer, st.owed.byteOffset, n).equals(Buffer.from(st.ahead.buffer, st.ahead.byteOffset, n))) this.stats.captureMismatches++;
    st.owed = st.owed.slice(n);
    st.ahead = st.ahead.slice(n);
  }

  /** A new replica gets the kernel's configuration: the open, the per-open settings, the volume. */
  sync(r: Replica): number {
    const o = r.ops<SoundOps>();
    let calls = 0;
    if (this.volume !== null) { o.ioctl(SNDCTL.SET_VOLUME, this.volume); calls++; }
    if (this.openMode) {
      o.open(this.openMode);
      const st = this.state.get(r);
      if (st && (this.openMode & MODE_CAPTURE)) st.aligned = false;
      calls++;
      for (const [cmd, arg] of this.settings) { o.ioctl(cmd, arg); calls++; }
    }
    return calls * HEADER_BYTES;
  }

  /** The new primary plays what is held for it, then the kernel's sleepers retry against it.
   *  Captured bytes it owes were already returned by the failed primary: it skips them. */
  promoted(r: Replica): void {
    this.drain(r);
    const st = this.state.get(r);
    while (st && st.owed.length > 0 && !r.inst.failed) { const before = st.owed.length; this.standbyRead(r); if (st.owed.length === before) { st.owed = newBytes(0); break; } }
    this.state.get(r)?.api.wakeUp();
  }

  handOver(): void {}

  forget(r: Replica): void { this.state.delete(r); }

  heldBytes(): number {
    let n = 0;
    for (const st of this.state.values()) n += this.held(st);
    return n;
  }
}
