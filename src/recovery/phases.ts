// Recovery runs in virtual time: each phase does its work (the driver code it runs is charged
// to the CPU by the kernel, plus the phase's fixed cost), and the next phase starts once the
// CPU has done that work. During the phases the strategy's taps answer for the driver.
import type { Kernel } from '../kernel/kernel.js';

export interface Phase {
  name: string;
  /** Fixed CPU cost of the phase beyond the driver code it runs (µs). */
  fixedUs: number;
  /** Do the phase's work; false stops recovery (the driver failed again, or it gave up). */
  run(): boolean;
}

/** Run phases in order; `elapsedUs` accumulates each phase's virtual duration by name. */
export function runPhases(k: Kernel, phases: Phase[], elapsedUs: Record<string, number>, onDone: () => void): void {
  const step = (i: number): void => {
    if (i === phases.length) { onDone(); return; }
    const p = phases[i];
    const ok = p.run();
    k.cpu.charge('recovery', p.fixedUs * 1000);
    const wait = k.cpu.backlogUs();
    elapsedUs[p.name] = (elapsedUs[p.name] ?? 0) + wait;
    if (!ok) return;
    k.sched.schedule(wait, `recovery-${p.name}`, () => step(i + 1), -8);
  };
  step(0);
}
