// Checkpoint-restart with a request log. Every checkpointIntervalUs, between calls, the
// strategy copies the driver's memory (its region up to the heap's extent, and the heap's
// bookkeeping), the device's state, the kernel objects the driver holds with their contents
// (the class says which: buffers, requests), and its IRQ and timer registrations; then it logs
// every state-changing kernel-to-driver call the driver accepts until the next checkpoint. On a
// failure it unloads the instance, restores the checkpoint into a fresh instance in the same
// slot (so its pointers hold), gives back the objects, and replays the log; meanwhile requests
// wait in the kernel's queue. A fresh instance carries no transient fault; a deterministic fault
// fires again when the replay or the traffic after it reaches its site; corruption older than
// the checkpoint comes back with it.
import { Binding } from '../binding.js';
import { RetryBudget } from '../retry-budget.js';
import { runPhases, stopPhase } from '../phases.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, copyReport, emptyReport } from '../types.js';
import { ClassRequestLog, HeldSnapshot, LoggedCall, CALL_HEADER_BYTES } from './request-log.js';
import { NetRequestLog } from './net-request-log.js';
import { BlockRequestLog } from './block-request-log.js';
import { SoundRequestLog } from './sound-request-log.js';
import type { World } from '../../world/world.js';
import type { NetWorld } from '../../world/net-world.js';
import type { BlockWorld } from '../../world/block-world.js';
import type { SoundWorld } from '../../world/sound-world.js';
import type { FailureReport, Registrations } from '../../kernel/kernel.js';
import type { HeapSnapshot } from '../../kernel/heap.js';
import type { DeviceSnapshot } from '../../devices/device-model.js';
import { young } from '../../sim/young.js';

const LOGS: Record<string, (w: World) => ClassRequestLog<object>> = {
  network: (w) => new NetRequestLog(w.k, (w as NetWorld).netdev),
  block: (w) => new BlockRequestLog(w.k, (w as BlockWorld).blk),
  sound: (w) => new SoundRequestLog(w.k, (w as SoundWorld).snd),
};

interface Checkpoint {
  atUs: number;
  slot: number;
  priv: number;
  image: Uint8Array;
  heap: HeapSnapshot;
  device: DeviceSnapshot;
  held: HeldSnapshot;
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
  private readonly counts = { checkpoints: 0, checkpointBytes: 0, replayedCalls: 0, restores: 0, heldConflicts: 0 };

  attach(world: World): void {
    const make = LOGS[world.cls];
    if (!make || !world.device.snapshot) throw new Error(`checkpoint-restart is not modelled for the ${world.cls} class`);
    this.world = world;
    this.classLog = make(world);
    const p = world.k.params;
    this.budget = new RetryBudget(p.maxConsecutiveRecoveries, p.recoveryQuietUs);
    this.binding = Binding.load(world);
    world.core.ops = this.loggedOps();
    world.k.onDriverFailure = young((f: FailureReport) => this.recover(f));
    this.take(); // the first checkpoint: the driver as loaded
    const tick = (): void => {
      if (!this.recovering && !this.r.gaveUp && this.binding.healthy) this.take();
      world.k.sched.schedule(p.checkpointIntervalUs, 'checkpoint', tick, 9);
    };
    world.k.sched.schedule(p.checkpointIntervalUs, 'checkpoint', tick, 9);
  }

  private get k() { return this.world.k; }

  /** The kernel's calls: state-changing ones the driver accepts are logged; during a restore,
   *  requests are answered as the class's queue-full. */
  private loggedOps(): object {
    const out: Record<string, unknown> = {};
    for (const entry of Object.keys(this.world.core.entryPoints)) {
      const logged = !this.classLog.unlogged.has(entry);
      out[entry] = young((...args: unknown[]) => {
        if (this.recovering) {
          const busy = this.classLog.whileRecovering(entry);
          if (busy !== undefined) return busy;
        }
        const call = logged && !this.r.gaveUp && !this.recovering ? this.classLog.record(entry, args) : null;
        const fn = (this.binding.ops<Record<string, (...a: unknown[]) => unknown>>())[entry];
        const result = fn(...args);
        if (this.binding.inst.failed) {
          // It failed on this call: the kernel keeps the request and issues it after the restore.
          const busy = this.classLog.whileRecovering(entry);
          return busy !== undefined ? busy : result;
        }
        if (call && this.classLog.accepted(entry, result)) this.append(call);
        return result;
      });
    }
    return out;
  }

  private append(call: LoggedCall): void {
    this.calls.push(call);
    this.callBytes += call.bytes;
    this.k.cpu.charge('upkeep', this.k.params.tapNs);
    this.account(false);
  }

  /** Take a checkpoint now (between calls: the simulator runs one event at a time). */
  private take(): void {
    const k = this.k, inst = this.binding.inst;
    const extent = inst.heap.extent();
    const image = k.mem.bytes.slice(inst.region.base, inst.region.base + extent);
    const held = this.classLog.snapshotHeld(inst);
    const device = this.world.device.snapshot!();
    const bytes = extent + device.bytes + held.bytes + CALL_HEADER_BYTES;
    this.cp = { atUs: k.now, slot: inst.slot, priv: this.binding.priv, image, heap: inst.heap.snapshot(), device, held, registrations: k.registrationsOf(inst), bytes };
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
      stopPhase(k, 'stop', () => { const held = this.binding.reclaimAndDestroy(); this.classLog.afterStop(held, cp.held, this.calls); return held.length; }),
      { name: 'restore', fixedUs: p.checkpointFixedUs + Math.ceil((cp.bytes * p.copyNsPerByte) / 1000), run: () => this.restore(cp) },
      { name: 'replay', fixedUs: 0, run: () => this.replay() },
    ], this.r.phasesUs, () => {
      this.recovering = false;
      this.r.recoveriesSucceeded++;
      this.r.restoredAtUs.push(k.now);
      this.classLog.resume(this.binding.inst);
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
    this.counts.heldConflicts += this.classLog.restoreHeld(cp.held, this.binding.inst);
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
    return copyReport({ ...this.r, stats: { ...this.counts, replayDropped: this.classLog.replayDropped, logCallsNow: this.calls.length, logBytesNow: this.callBytes, imageBytesNow: this.cp?.bytes ?? 0 } });
  }
}

export const checkpoint: StrategyModule = {
  id: 'checkpoint',
  description: 'periodic checkpoint of driver memory, device state and held kernel objects, a log of requests since; on failure restore and replay',
  classes: ['network', 'sound', 'block'],
  create: () => new CheckpointRestart(),
};
