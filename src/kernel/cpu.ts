// The host's one CPU, in virtual time. Work is charged by component; interrupt and softirq
// work waits for the CPU to be free, so a saturated CPU really slows the system down and
// throughput and utilisation come out of the run. Work runs one piece after another, so the
// work done over an interval can never exceed the interval: utilisation stays at or below 100%.
import type { Scheduler } from '../sim/scheduler.js';

/** `upkeep`: what a strategy does in normal operation beyond taps (mirroring inputs, checkpoints). */
export type CpuComponent = 'driver' | 'crossing' | 'tap' | 'upkeep' | 'stack' | 'recovery';
export const CPU_COMPONENTS: readonly CpuComponent[] = ['driver', 'crossing', 'tap', 'upkeep', 'stack', 'recovery'];

/** Protection-domain crossings: into the driver (an entry point: a send, an interrupt, a poll)
 *  and out of it (a kernel call the driver waits on; batched calls ride on the return). */
export interface Crossings { in: number; out: number }

export interface CpuMark { atUs: number; doneNs: number; crossings: number }

export class Cpu {
  private busyUntilUs = 0;
  readonly ns: Record<CpuComponent, number> = { driver: 0, crossing: 0, tap: 0, upkeep: 0, stack: 0, recovery: 0 };
  readonly crossings: Crossings = { in: 0, out: 0 };
  /** Work done (not merely charged) and crossings made by named instants. */
  readonly marks: Record<string, CpuMark> = {};

  constructor(private readonly sched: Scheduler) {}

  charge(component: CpuComponent, ns: number): void {
    if (ns <= 0) return;
    this.ns[component] += ns;
    this.busyUntilUs = Math.max(this.busyUntilUs, this.sched.now) + ns / 1000;
  }

  /** How long new work must wait for the CPU (whole µs). */
  backlogUs(): number { return Math.max(0, Math.ceil(this.busyUntilUs - this.sched.now)); }

  totalNs(): number { return CPU_COMPONENTS.reduce((n, c) => n + this.ns[c], 0); }

  /** Work the CPU has done by now: everything charged less what still waits. */
  doneNs(): number { return this.totalNs() - Math.max(0, this.busyUntilUs - this.sched.now) * 1000; }

  /** Note the work done by now under `name` (an application marks its measured interval). */
  mark(name: string): void { this.marks[name] = { atUs: this.sched.now, doneNs: this.doneNs(), crossings: this.crossings.in + this.crossings.out }; }

  /** Share of the interval between two marks the CPU was busy (null if either is missing). */
  utilizationBetween(from: string, to: string): number | null {
    const a = this.marks[from], b = this.marks[to];
    if (!a || !b || b.atUs <= a.atUs) return null;
    return (b.doneNs - a.doneNs) / 1000 / (b.atUs - a.atUs);
  }
}
