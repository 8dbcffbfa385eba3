// The kernel's two-stage hang check, shared by the classes that have one (the network
// transmit watchdog, the IDE command timer): when work is stuck, Linux calls the driver's own
// timeout handler (a reset); under isolation, work still stuck one period after that, with no
// progress in between, is a hung driver and a detected failure.
import type { Kernel } from './kernel.js';

export interface HangCheck {
  what: string;          // e.g. 'transmit'
  entry: string;         // the driver entry point that handles timeouts, e.g. 'tx_timeout'
  periodUs: number;
  /** Is work stuck now? */
  stuck(): boolean;
  /** A counter that moves when the device makes progress (completions). */
  progress(): number;
  /** Call the driver's timeout handler. */
  callTimeout(): void;
  /** Restart the stuck clock (after handling a timeout). */
  rearm(): void;
}

export function startHangWatchdog(k: Kernel, c: HangCheck, driver: () => import('./kernel.js').DriverInstance | null): void {
  let tried = false, progressAtTimeout = 0;
  const check = (): void => {
    if (c.progress() !== progressAtTimeout) tried = false; // the device completes work again
    const inst = driver();
    if (c.stuck() && inst) {
      if (k.isolation && tried) {
        k.driverFailed(inst, 'watchdog', `${c.what} still stuck after ${c.entry}`, null, c.entry);
      } else {
        k.log('watchdog', `${c.what} timed out; calling the driver's ${c.entry}`);
        tried = true;
        c.callTimeout();
        progressAtTimeout = c.progress(); // what the handler itself released is no progress
      }
      c.rearm();
    }
    k.sched.schedule(c.periodUs, `${c.what}-watchdog`, check, 5);
  };
  k.sched.schedule(c.periodUs, `${c.what}-watchdog`, check, 5);
}
