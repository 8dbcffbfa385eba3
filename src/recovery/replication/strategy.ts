// Primary/backup replication at the kernel-driver interface. A standby driver instance on its
// own device receives every input the primary receives (the class's mirror copies requests;
// its device sees the same traffic); only the primary's outputs reach the kernel. When the
// primary fails, the standby takes over at once, and a new standby is loaded on the failed
// primary's device and brought in sync from the kernel's configuration. When no ready standby
// is left, replication falls back to a cold reload. A deterministic fault is in both images
// and fires in both on the same inputs; a transient one fires in the standby only if its own
// environment does.
import { Binding } from '../binding.js';
import { RetryBudget } from '../retry-budget.js';
import { runPhases, stopPhase, loadPhase, devicePhase, chargeRecovery } from '../phases.js';
import { RecoveryStrategy, StrategyModule, StrategyReport, copyReport, emptyReport } from '../types.js';
import { ClassMirror, MirrorStats, Replica, ReplicaPair } from './replica.js';
import { NetMirror } from './net-mirror.js';
import { BlockMirror } from './block-mirror.js';
import { SoundMirror } from './sound-mirror.js';
import type { BlockWorld } from '../../world/block-world.js';
import type { World, ReplicaHardware } from '../../world/world.js';
import type { NetWorld } from '../../world/net-world.js';
import type { FailureReport } from '../../kernel/kernel.js';
import type { DeviceModel } from '../../devices/device-model.js';
import { young } from '../../sim/young.js';

const MIRRORS: Record<string, (w: World, stats: MirrorStats) => ClassMirror<object>> = {
  network: (w, stats) => new NetMirror(w.k, (w as NetWorld).netdev, stats),
  block: (w, stats) => new BlockMirror(w.k, (w as BlockWorld).blk, stats),
  sound: (w, stats) => new SoundMirror(w.k, stats),
};

class Replication implements RecoveryStrategy, ReplicaPair {
  readonly id = 'replication';
  readonly isolation = true;
  primary!: Replica;
  standby: Replica | null = null;
  private world!: World;
  private hw!: ReplicaHardware;
  private mirror!: ClassMirror<object>;
  private budget!: RetryBudget;
  private standbyBudget!: RetryBudget;
  private readonly r: StrategyReport = emptyReport();
  private readonly mirrorStats: MirrorStats = { mirroredCalls: 0, mirroredBytes: 0, mirrorDrops: 0 };
  private readonly counts = { failovers: 0, coldRestarts: 0, standbysLoaded: 0, standbyFailures: 0, syncBytes: 0, replicaStateBytes: 0 };

  attach(world: World): void {
    const make = MIRRORS[world.cls];
    if (!make || !world.replicaHardware) throw new Error(`replication is not modelled for the ${world.cls} class`);
    this.world = world;
    this.hw = world.replicaHardware;
    this.mirror = make(world, this.mirrorStats);
    const p = world.k.params;
    this.budget = new RetryBudget(p.maxConsecutiveRecoveries, p.recoveryQuietUs);
    this.standbyBudget = new RetryBudget(p.maxConsecutiveRecoveries, p.recoveryQuietUs);
    this.primary = this.load(world.device, true);
    // Loaded at boot next to the primary, the standby sees the kernel's configuration calls from the start.
    this.standby = this.load(this.hw.makeStandby(), false);
    this.standby.synced = true;
    this.counts.standbysLoaded++;
    world.core.ops = this.accounted(this.mirror.ops(this));
    world.k.onDriverFailure = young((f: FailureReport) => this.onFailure(f));
  }

  /** After every kernel call, note what replication retains (for its peak). */
  private accounted<O extends object>(ops: O): O {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(ops)) out[name] = young((...a: unknown[]) => { const r = (fn as (...x: unknown[]) => unknown)(...a); this.account(false); return r; });
    return out as O;
  }

  private load(device: DeviceModel, live: boolean): Replica {
    const r = new Replica(device, live);
    r.binding = Binding.load(this.world, { device, bind: live, tapApi: (api) => this.mirror.tapApi(api, r) });
    return r;
  }

  private unload(r: Replica): void {
    if (!r.inst.destroyed) this.world.core.release(r.binding.reclaimAndDestroy());
    this.mirror.forget(r);
  }

  private onFailure(f: FailureReport): void {
    const k = this.world.k;
    if (this.standby && f.instance === this.standby.inst) {
      this.r.standbyFailureAtUs.push(f.atUs);
      this.counts.standbyFailures++;
      this.account(true);
      k.log('recovery', `replication: standby ${f.instance.name} failed (${f.kind}); the primary serves on`);
      const device = this.standby.device;
      this.unload(this.standby);
      this.standby = null;
      this.startStandby(device);
      return;
    }
    if (f.instance !== this.primary.inst || this.r.gaveUp) return;
    this.account(true);
    if (!this.budget.admit(k.now)) { this.giveUp(); return; }
    this.r.recoveriesAttempted++;
    const s = this.standby;
    if (s?.ready) this.failover(s);
    else this.coldRestart();
  }

  /** The standby takes over now; a new standby is started on the failed primary's device. */
  private failover(s: Replica): void {
    const k = this.world.k;
    const old = this.primary;
    // The switch happens in the failure's own event; its cost is charged as it is done.
    runPhases(k, [{ name: 'failover', fixedUs: 0, run: () => {
      chargeRecovery(k, k.params.failoverUs * 1000);
      const held = old.inst.destroyed ? [] : old.binding.reclaimAndDestroy();
      this.mirror.forget(old);
      old.live = false;
      s.live = true;
      this.hw.putInService(s.device);
      this.primary = s;
      this.standby = null;
      this.world.core.driver = s.inst;
      this.mirror.handOver(held, s);
      this.mirror.promoted(s);
      this.r.continuedAtUs.push(k.now);
      this.counts.failovers++;
      k.log('recovery', `replication: ${old.inst.name} failed; standby ${s.inst.name} took over`);
      return true;
    } }], this.r.phasesUs, () => {
      this.r.recoveriesSucceeded++;
      this.r.restoredAtUs.push(k.now);
      this.startStandby(old.device);
    });
  }

  /** No ready standby: unload both, reload the primary, configure it as the kernel has it. */
  private coldRestart(): void {
    const k = this.world.k, p = k.params;
    const standbyDevice = this.standby?.device ?? null;
    this.counts.coldRestarts++;
    runPhases(k, [
      stopPhase(k, 'unload', () => {
        k.log('recovery', `replication: no ready standby; reloading ${this.primary.inst.name}`);
        this.unload(this.primary);
        if (this.standby) this.unload(this.standby);
        this.standby = null;
        return 0;
      }),
      loadPhase(k, () => {
        this.primary = this.load(this.primary.device, true);
        return this.primary.binding.healthy;
      }),
      devicePhase(this.primary.device),
      { name: 'resync', fixedUs: 0, run: () => { this.counts.syncBytes += this.sync(this.primary); return !this.primary.inst.failed; } },
    ], this.r.phasesUs, () => {
      this.r.recoveriesSucceeded++;
      this.r.restoredAtUs.push(k.now);
      k.log('recovery', `replication: ${this.primary.inst.name} reloaded and configured`);
      if (standbyDevice) this.startStandby(standbyDevice);
    });
  }

  /** Load a standby on `device` and bring it in sync (the state transfer is accounted). */
  private startStandby(device: DeviceModel): void {
    const k = this.world.k;
    if (!this.standbyBudget.admit(k.now)) {
      k.log('recovery', 'replication: standby keeps failing; running without one');
      return;
    }
    let r: Replica;
    // The standby counts as ready (a failover may go to it) once its load and sync are done.
    // Not on the service's path: the standby is created at once (so mirroring reaches it) and
    // counts as ready after its load time.
    runPhases(k, [{ name: 'standby-sync', fixedUs: 0, run: () => {
      chargeRecovery(k, k.params.moduleLoadUs * 1000);
      r = this.load(device, false);
      this.standby = r;
      this.counts.standbysLoaded++;
      if (!r.binding.healthy) return false;
      this.counts.syncBytes += this.sync(r);
      return !r.inst.failed;
    } }], this.r.phasesUs, () => {
      if (this.standby !== r || r.inst.failed) return;
      r.synced = true;
      k.log('recovery', `replication: standby ${r.inst.name} in sync`);
    });
  }

  private sync(r: Replica): number {
    const bytes = this.mirror.sync(r);
    this.world.k.cpu.charge('upkeep', bytes * this.world.k.params.copyNsPerByte);
    return bytes;
  }

  private giveUp(): void {
    const k = this.world.k;
    this.r.gaveUp = true;
    this.unload(this.primary);
    if (this.standby) this.unload(this.standby);
    this.standby = null;
    this.world.core.unregister();
    k.log('recovery', `replication: giving up after ${k.params.maxConsecutiveRecoveries} attempts; the device stays down`);
  }

  /** What replication retains beyond the primary: the standby's state and inputs held for it. */
  private retained(): { entries: number; bytes: number } {
    const s = this.standby;
    const state = s && !s.inst.destroyed ? s.inst.heap.extent() + this.deviceStateBytes(s.device) : 0;
    const held = this.mirror.heldBytes();
    return { entries: (s ? 1 : 0) + (held > 0 ? 1 : 0), bytes: state + held };
  }

  private readonly deviceBytes = new Map<DeviceModel, number>();
  private deviceStateBytes(d: DeviceModel): number {
    if (!this.deviceBytes.has(d)) this.deviceBytes.set(d, d.snapshot?.().bytes ?? 0);
    return this.deviceBytes.get(d)!;
  }

  private account(atFailure: boolean): void {
    const { entries, bytes } = this.retained();
    const log = this.r.log;
    log.peakEntries = Math.max(log.peakEntries, entries);
    log.peakBytes = Math.max(log.peakBytes, bytes);
    if (atFailure) { log.atFailureEntries = entries; log.atFailureBytes = bytes; }
  }

  retainedBytes(): number { return this.retained().bytes; }

  report(): StrategyReport {
    this.account(false);
    this.counts.replicaStateBytes = this.retained().bytes;
    return copyReport({ ...this.r, stats: { ...this.mirrorStats, ...this.counts } });
  }
}

export const replication: StrategyModule = {
  id: 'replication',
  description: 'primary/backup: a standby driver on its own device gets every input; failover on failure; a new standby is synced',
  classes: ['network', 'sound', 'block'],
  create: () => new Replication(),
};
