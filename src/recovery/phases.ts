// Recovery runs in virtual time, in the order the work happens: a phase's fixed cost (loading a
// module, unwinding the failed driver) is spent first, then the phase's body runs (the driver
// code it calls is charged to the CPU by the kernel, per-item costs by the body itself), then
// the phase waits for the CPU to finish that work and, when it names one, for the device to
// finish what it was told to do (a reset, link negotiation, a disk recalibrating, a codec
// locking). The next phase starts only then, so every input to a phase moves recovery time.
// During the phases the strategy's taps answer for the driver.
import type { Kernel } from '../kernel/kernel.js';

export interface Phase {
  name: string;
  /** Fixed CPU cost spent before the phase's body runs (µs). */
  fixedUs: number;
  /** Do the phase's work; false stops recovery (the driver failed again, or it gave up). */
  run(): boolean;
  /** After the body: how long until the device is done with what the body asked of it (µs). */
  deviceWaitUs?(): number;
}

/** Run phases in order; `elapsedUs` accumulates each phase's virtual duration by name. */
export function runPhases(k: Kernel, phases: Phase[], elapsedUs: Record<string, number>, onDone: () => void): void {
  const add = (name: string, us: number): void => { elapsedUs[name] = (elapsedUs[name] ?? 0) + us; };
  const step = (i: number): void => {
    if (i === phases.length) { onDone(); return; }
    const p = phases[i];
    k.cpu.charge('recovery', p.fixedUs * 1000);
    const before = p.fixedUs > 0 ? k.cpu.backlogUs() : 0;
    add(p.name, before);
    const body = (): void => {
      const ok = p.run();
      const cpuUs = k.cpu.backlogUs(), deviceUs = p.deviceWaitUs?.() ?? 0;
      const after = Math.max(cpuUs, deviceUs);
      add(p.name, after);
      if (!ok) return;
      // Waiting on the device: go on after the device's own event at that instant (link up).
      k.sched.schedule(after, `recovery-${p.name}-done`, () => step(i + 1), deviceUs >= cpuUs && deviceUs > 0 ? 30 : -8);
    };
    // No fixed cost: the body runs now (stop runs in the failure's own event).
    if (before === 0) body(); else k.sched.schedule(before, `recovery-${p.name}`, body, -8);
  };
  step(0);
}

/** Charge recovery work done item by item (a replayed call, a resubmitted request). */
export function chargeRecovery(k: Kernel, ns: number): void { k.cpu.charge('recovery', ns); }

/** Stop the failed driver: unwind it, disable its interrupt and take back the objects it held
 *  (`stop` returns how many), charged as it happens, in the failure's own event. */
export function stopPhase(k: Kernel, name: string, stop: () => number): Phase {
  return { name, fixedUs: 0, run: () => {
    const objects = stop();
    chargeRecovery(k, k.params.recoveryStopUs * 1000 + objects * k.params.releaseObjectNs);
    return true;
  } };
}

/** Load a fresh copy of the module, then run its init (probe, which resets the device). */
export function loadPhase(k: Kernel, load: () => boolean): Phase {
  return { name: 'load', fixedUs: k.params.moduleLoadUs, run: load };
}

/** Wait for the device to finish what the probe's reset started (link negotiation, a disk
 *  recalibrating, a codec locking), as the device model does it. */
export function devicePhase(device: { readyInUs?(): number }): Phase {
  return { name: 'device', fixedUs: 0, run: () => true, deviceWaitUs: () => device.readyInUs?.() ?? 0 };
}
