// A trial is a pure function from a spec to a record: build the machine, load the driver
// through the strategy, run the app in virtual time, and let the app's oracle and the
// kernel's state decide the outcome.
import { RngStreams } from '../sim/rng.js';
import { Trace } from '../sim/trace.js';
import { SystemCrash } from '../sim/faults.js';
import { APPS, DRIVERS, STRATEGIES } from '../registry.js';
import { buildNetWorld, NetWorld } from './world.js';
import { resolveSpec, replayCommand, TrialSpec, ResolvedSpec } from './spec.js';
import { TrialRecord, Outcome } from './record.js';
import type { App, AppVerdict } from '../apps/types.js';
import type { RecoveryStrategy } from '../recovery/types.js';

export interface TrialOptions { trace?: boolean }

/** Run `fn`; a kernel panic inside it just ends the run (the kernel has recorded why). */
function survivingCrash(fn: () => void): void {
  try { fn(); } catch (e) { if (!(e instanceof SystemCrash)) throw e; }
}

function downtimeUs(w: NetWorld, endUs: number): number {
  let total = 0;
  for (const f of w.k.failures) {
    const up = w.netdev.carrierUpUs.find((t) => t >= f.atUs);
    total += (up ?? endUs) - f.atUs;
  }
  return total;
}

export function runTrial(input: TrialSpec, opts: TrialOptions = {}): TrialRecord {
  const spec = resolveSpec(input);
  const rng = new RngStreams(spec.seed);
  const trace = new Trace(opts.trace ?? false);
  const strategy = STRATEGIES.find((s) => s.id === spec.strategy)!.create();
  const w = buildNetWorld(spec.params, rng, trace, strategy.isolation, DRIVERS.find((d) => d.id === spec.driver)!);
  const app = APPS.find((a) => a.id === spec.app)!.create({
    k: w.k, netdev: w.netdev, peer: w.peer, hostStreams: w.hostStreams, peerStreams: w.peerStreams,
    rng: rng.get('workload'), finish: () => { appDone = true; w.k.sched.stop(); },
  });
  let appDone = false;
  survivingCrash(() => boot(w, strategy, app, spec));
  if (!w.k.crashReason) survivingCrash(() => w.k.sched.run(spec.params.trialDeadlineUs));
  // The kernel's last look: corruption it has not stumbled on yet still counts.
  if (!w.k.crashReason) survivingCrash(() => w.k.checkIntegrity());
  return buildRecord(spec, w, strategy, app, appDone, trace);
}

function boot(w: NetWorld, strategy: RecoveryStrategy, app: App, spec: ResolvedSpec): void {
  strategy.attach(w);
  const r = w.netdev.open(); // the boot scripts bring the interface up
  if (r !== 0) w.k.log('boot', `interface failed to come up (${r})`);
  w.k.sched.schedule(spec.params.appStartUs, 'app-start', () => app.start());
}

function buildRecord(spec: ResolvedSpec, w: NetWorld, strategy: RecoveryStrategy, app: App, appDone: boolean, trace: Trace): TrialRecord {
  const k = w.k;
  let outcome: Outcome, reason: string;
  if (k.crashReason) { outcome = 'system-crash'; reason = k.crashReason; }
  else {
    const v: AppVerdict = app.verdict();
    outcome = v.outcome; reason = appDone ? v.reason : `${v.reason} (not finished by the deadline)`;
  }
  const s = strategy.report();
  const first = k.failures[0];
  return {
    spec, outcome, reason,
    detected: first ? { kind: first.kind, atUs: first.atUs, site: first.site, entry: first.entry, message: first.message } : null,
    failures: k.failures.length,
    recoveries: { attempted: s.recoveriesAttempted, succeeded: s.recoveriesSucceeded, gaveUp: s.gaveUp },
    recoveryUs: s.recoveryUs,
    downtimeUs: downtimeUs(w, k.now),
    log: s.log,
    app: app.metrics(),
    virtualUs: k.now,
    events: k.sched.eventsRun,
    instructions: [...k.coverage.values()].reduce((n, c) => n + c.count, 0),
    traceHash: trace.hash(),
    replay: replayCommand(spec),
    ...(trace.events ? { trace: trace.events } : {}),
  };
}
