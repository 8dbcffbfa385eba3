// Checkpoint-restart with a request log. Every checkpointIntervalUs, between calls, the
// strategy copies the driver's memory (its region up to the heap's extent, and the heap's
// bookkeeping), the device's state, the contents of the kernel buffers the driver holds (on
// restore it takes those same buffers back; one the kernel holds meanwhile is moved aside by
// the kernel), and its IRQ and timer registrations; then it
// logs every state-changing kernel-to-driver call until the next one. On a failure it unloads
// the instance, restores the checkpoint into a fresh instance in the same slot, and replays the
// log. A fresh instance carries no transient fault; a deterministic fault fires again when the
// replay or the traffic after it reaches its site; corruption older than the checkpoint comes
// back with it.
import { Binding } from './binding.js';
import { RetryBudget } from './retry-budget.js';
import { runPhases } from './phases.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, copyReport, emptyReport } from './types.js';
import { ClassRequestLog, LoggedCall, CALL_HEADER_BYTES } from './checkpoint/request-log.js';
import { NetRequestLog } from './checkpoint/net-request-log.js';
import type { World } from '../trial/world.js';
import type { FailureReport, Registrations } from '../kernel/kernel.js';
import type { HeapSnapshot } from '../kernel/heap.js';
import type { DeviceSnapshot } from '../devices/device-model.js';
import { ownerOfSlot } from '../kernel/skb.js';
import * as L from '../kernel/layout.js';

const LOGS: Record<string, (w: World) => ClassRequestLog<object>> = {
  network: (w) => new NetRequestLog(w.k),
};

interface Checkpoint {
  atUs: number;
  slot: number;
  priv: number;
  image: Uint8Array;
  heap: HeapSnapshot;
  device: DeviceSnapshot;
  skbs: Array<{ addr: number; data: Uint8Array }>;
  registrations: Registrations;
  bytes: number;
}

class CheckpointRestart implements RecoveryStrategy {
  readonly id = 'checkpoint';
  readonly isolation = true;
  private world!: World;
  private binding!: Binding;
  private classLog!: ClassRequestLog<object>;
  private budget!: RetryBudget;
  private cp: Checkpoint | null = null;
  private calls: LoggedCall[] = [];
  private callBytes = 0;
  private recovering = false;
  private readonly r: StrategyReport = emptyReport();
  private readonly counts = { checkpoints: 0, checkpointBytes: 0, replayedCalls: 0, restores: 0, bufferConflicts: 0 };

  attach(world: World): void {
    const make = LOGS[world.cls];
    if (!make || !world.device.snapshot) throw new Error(`checkpoint-restart is not modelled for the ${world.cls} class`);
    this.world = world;
    this.classLog = make(world);
    const p = world.k.params;
    this.budget = new RetryBudget(p.maxConsecutiveRecoveries, p.recoveryQuietUs);
    this.binding = Binding.load(world);
    world.core.ops = this.loggedOps();
    world.k.onDriverFailure = (f) => this.recover(f);
    this.take(); // the first checkpoint: the driver as loaded
    const tick = (): void => {
      if (!this.recovering && !this.r.gaveUp && this.binding.healthy) this.take();
      world.k.sched.schedule(p.checkpointIntervalUs, 'checkpoint', tick, 9);
    };
    world.k.sched.schedule(p.checkpointIntervalUs, 'checkpoint', tick, 9);
  }

  /** The kernel's calls: state-changing ones are logged, then passed to the current instance. */
  private loggedOps(): object {
    const out: Record<string, unknown> = {};
    for (const entry of Object.keys(this.world.core.entryPoints)) {
      const logged = !this.classLog.unlogged.has(entry);
      out[entry] = (...args: unknown[]) => {
        if (logged && !this.r.gaveUp) this.append(this.classLog.record(entry, args));
        const fn = (this.binding.ops<Record<string, (...a: unknown[]) => unknown>>())[entry];
        return fn(...args);
      };
    }
    return out;
  }

  private append(call: LoggedCall): void {
    this.calls.push(call);
    this.callBytes += call.bytes;
    this.k.cpu.charge('upkeep', this.k.params.tapNs);
    this.account(false);
  }

  private get k() { return this.world.k; }

  /** Take a checkpoint now (between calls: the simulator runs one event at a time). */
  private take(): void {
    const k = this.k, inst = this.binding.inst;
    const extent = inst.heap.extent();
    const image = k.mem.bytes.slice(inst.region.base, inst.region.base + extent);
    const owner = ownerOfSlot(inst.slot);
    const held = k.skbs.heldBy(owner);
    const skbs = held.map((addr) => ({ addr, data: k.mem.bytes.slice(addr, addr + L.SKB_SLOT) }));
    const device = this.world.device.snapshot!();
    const bytes = extent + device.bytes + skbs.length * L.SKB_SLOT + CALL_HEADER_BYTES;
    this.cp = { atUs: k.now, slot: inst.slot, priv: this.binding.priv, image, heap: inst.heap.snapshot(), device, skbs, registrations: k.registrationsOf(inst), bytes };
    this.calls = [];
    this.callBytes = 0;
    this.counts.checkpoints++;
    this.counts.checkpointBytes += bytes;
    k.cpu.charge('upkeep', k.params.checkpointFixedUs * 1000 + bytes * k.params.copyNsPerByte);
    this.account(false);
  }

  private recover(f: FailureReport): void {
    const k = this.k, p = k.params;
    if (f.instance !== this.binding.inst || this.r.gaveUp) return;
    this.account(true);
    if (!this.budget.admit(k.now)) { this.giveUp(); return; }
    this.r.recoveriesAttempted++;
    this.recovering = true;
    const cp = this.cp!;
    k.log('recovery', `checkpoint: ${f.instance.name} failed (${f.kind}); restoring the checkpoint of ${cp.atUs} us and replaying ${this.calls.length} calls`);
    runPhases(k, [
      { name: 'stop', fixedUs: p.recoveryStopUs, run: () => { this.binding.destroy(); return true; } },
      { name: 'restore', fixedUs: p.checkpointFixedUs + Math.ceil((cp.bytes * p.copyNsPerByte) / 1000), run: () => this.restore(cp) },
      { name: 'replay', fixedUs: 0, run: () => this.replay() },
    ], this.r.phasesUs, () => {
      this.recovering = false;
      this.r.recoveriesSucceeded++;
      this.r.restoredAtUs.push(k.now);
      k.log('recovery', `checkpoint: ${this.binding.inst.name} restored and replayed`);
    });
  }

  /** Put the checkpoint into a fresh instance in the same slot (so its pointers hold). */
  private restore(cp: Checkpoint): boolean {
    const k = this.k;
    this.binding = Binding.adopt(this.world, cp.priv, { slot: cp.slot }, (inst) => {
      k.mem.bytes.set(cp.image, inst.region.base);
      inst.heap.restore(cp.heap);
    });
    const owner = ownerOfSlot(cp.slot);
    for (const { addr, data } of cp.skbs) {
      // The failed instance's buffers were freed at stop; one the kernel holds now it moves aside.
      const free = k.skbs.ownerOf(addr) === owner || k.skbs.claim(addr, owner)
        || (!!this.world.core.relocate?.(addr) && k.skbs.claim(addr, owner));
      if (!free) { this.counts.bufferConflicts++; continue; }
      k.mem.bytes.set(data, addr);
    }
    k.restoreRegistrations(this.binding.inst, cp.registrations);
    this.world.device.restore!(cp.device);
    this.counts.restores++;
    return !this.binding.inst.failed;
  }

  private replay(): boolean {
    const ops = this.binding.ops<object>();
    for (const call of this.calls) {
      this.classLog.replay(call, ops, this.binding.inst);
      this.counts.replayedCalls++;
      if (this.binding.inst.failed) return false;
    }
    return true;
  }

  private giveUp(): void {
    const k = this.k;
    this.r.gaveUp = true;
    this.recovering = false;
    if (!this.binding.inst.destroyed) this.binding.destroy();
    this.world.core.unregister();
    k.log('recovery', `checkpoint: giving up after ${k.params.maxConsecutiveRecoveries} attempts; the device stays down`);
  }

  private account(atFailure: boolean): void {
    const entries = this.calls.length + (this.cp ? 1 : 0);
    const bytes = this.callBytes + (this.cp?.bytes ?? 0);
    const log = this.r.log;
    log.peakEntries = Math.max(log.peakEntries, entries);
    log.peakBytes = Math.max(log.peakBytes, bytes);
    if (atFailure) { log.atFailureEntries = entries; log.atFailureBytes = bytes; }
  }

  retainedBytes(): number { return this.callBytes + (this.cp?.bytes ?? 0); }

  report(): StrategyReport {
    const replayDropped = (this.classLog as { replayDropped?: number }).replayDropped ?? 0;
    return copyReport({ ...this.r, stats: { ...this.counts, replayDropped, logCallsNow: this.calls.length, logBytesNow: this.callBytes, imageBytesNow: this.cp?.bytes ?? 0 } });
  }
}

export const checkpoint: StrategyModule = {
  id: 'checkpoint',
  description: 'periodic checkpoint of driver memory, device state and held buffers, a log of requests since; on failure restore and replay',
  classes: ['network'],
  create: () => new CheckpointRestart(),
};
