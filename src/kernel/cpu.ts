// The host's one CPU, in virtual time. Work is charged by component; interrupt and softirq
// work waits for the CPU to be free, so a saturated CPU really slows the system down and
// throughput and utilisation come out of the run.
import type { Scheduler } from '../sim/scheduler.js';

/** `upkeep`: what a strategy does in normal operation beyond taps (mirroring inputs, checkpoints). */
export type CpuComponent = 'driver' | 'crossing' | 'tap' | 'upkeep' | 'stack' | 'recovery';
export const CPU_COMPONENTS: readonly CpuComponent[] = ['driver', 'crossing', 'tap', 'upkeep', 'stack', 'recovery'];

export class Cpu {
  private busyUntilUs = 0;
  readonly ns: Record<CpuComponent, number> = { driver: 0, crossing: 0, tap: 0, upkeep: 0, stack: 0, recovery: 0 };

  constructor(private readonly sched: Scheduler) {}

  charge(component: CpuComponent, ns: number): void {
    if (ns <= 0) return;
    this.ns[component] += ns;
    this.busyUntilUs = Math.max(this.busyUntilUs, this.sched.now) + ns / 1000;
  }

  /** How long new work must wait for the CPU (whole µs). */
  backlogUs(): number { return Math.max(0, Math.ceil(this.busyUntilUs - this.sched.now)); }

  totalNs(): number { return CPU_COMPONENTS.reduce((n, c) => n + this.ns[c], 0); }
}
