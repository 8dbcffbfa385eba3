// A NIC's link comes up some time after a reset (reset, then autonegotiation). The pending
// link-up is device state: a reset or a quiesce cancels it, and a snapshot carries the time left.
import type { Scheduler } from '../sim/scheduler.js';
import type { Kernel } from '../kernel/kernel.js';

/** From a reset to link up: the reset itself, then negotiation with the link partner, whose
 *  timing (where its pulse bursts fall) is environmental and drawn per reset. */
export function resetToLinkUpUs(k: Kernel): number {
  const p = k.params;
  return p.nicResetUs + p.nicLinkUpUs + k.rng.get('env/link').int(p.nicAutonegJitterUs + 1);
}

export class LinkUpTimer {
  private atUs: number | null = null;
  private epoch = 0;

  constructor(private readonly sched: Scheduler, private readonly onUp: () => void) {}

  /** The link comes up after `delayUs` (replacing any pending link-up). */
  start(delayUs: number): void {
    const epoch = ++this.epoch;
    this.atUs = this.sched.now + delayUs;
    this.sched.schedule(delayUs, 'link-up', () => {
      if (epoch !== this.epoch) return;
      this.atUs = null;
      this.onUp();
    });
  }

  cancel(): void { this.epoch++; this.atUs = null; }

  /** Time left until the link comes up, or null if no link-up is pending (for a snapshot). */
  remainingUs(): number | null { return this.atUs === null ? null : Math.max(0, this.atUs - this.sched.now); }

  /** Back to a snapshot's pending link-up (or none). */
  restore(remainingUs: number | null): void { if (remainingUs === null) this.cancel(); else this.start(remainingUs); }
}
