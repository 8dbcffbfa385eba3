// Machine-level failures raised while driver code runs. Under isolation the kernel catches
// them and reports a driver failure; without it they bring the system down.

export type FailureKind =
  | 'null-deref'      // access inside the NULL page
  | 'unmapped'        // access to an address no region maps
  | 'protection'      // write outside the driver's protection domain
  | 'bad-param'       // a kernel service rejected its arguments
  | 'hang'            // the per-call instruction budget ran out
  | 'watchdog'        // a device watchdog (e.g. transmit timeout) expired
  | 'resource';       // the driver exhausted a kernel resource

export class MachineFault extends Error {
  constructor(readonly kind: FailureKind, message: string, readonly site: string | null = null) {
    // A simulated CPU exception, caught by the simulated kernel: the host's stack trace says
    // nothing about it (the site does), and capturing one costs microseconds per fault.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** The whole machine is down (kernel panic); the trial ends. */
export class SystemCrash extends Error {
  constructor(readonly reason: string) { super(reason); }
}
