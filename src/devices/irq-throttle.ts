// NIC interrupt moderation (e1000's InterruptThrottleRate): the device raises its interrupt at
// most once per interval; causes that arrive sooner wait and are served by one interrupt, so
// one crossing into the driver handles many frames at high packet rates.
import type { Kernel } from '../kernel/kernel.js';

export class IrqThrottle {
  private lastUs = -Infinity;
  private pending = false;
  private epoch = 0;

  /** `asserted`: whether the device still has an unmasked cause when the wait ends. */
  constructor(private readonly k: Kernel, private readonly line: number, private readonly asserted: () => boolean) {}

  raise(): void {
    if (this.pending) return;
    const waitUs = Math.ceil(this.lastUs + this.k.params.nicIrqIntervalUs - this.k.now);
    if (waitUs <= 0) { this.fire(); return; }
    this.pending = true;
    const epoch = this.epoch;
    this.k.sched.schedule(waitUs, 'irq-throttle', () => {
      if (epoch !== this.epoch) return;
      this.pending = false;
      if (this.asserted()) this.fire();
    });
  }

  /** A reset or quiesce drops a delayed interrupt. */
  cancel(): void { this.epoch++; this.pending = false; }

  private fire(): void { this.lastUs = this.k.now; this.k.raiseIrq(this.line); }
}
