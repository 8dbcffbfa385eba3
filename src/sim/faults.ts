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
    super(message);
  }
}

/** The whole machine is down (kernel panic); the trial ends. */
export class SystemCrash extends Error {
  constructor(readonly reason: string) { super(reason); }
}
