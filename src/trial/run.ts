// A trial is a pure function from a spec to a record: build the machine, plant the fault,
// load the driver through the strategy, run the app in virtual time, and let the app's
// oracle and the kernel's state decide the outcome.
import { RngStreams } from '../sim/rng.js';
import { Trace } from '../sim/trace.js';
import { SystemCrash } from '../sim/faults.js';
import type { SiteCoverage } from '../sim/exec.js';
import { APPS, DRIVERS, STRATEGIES } from '../registry.js';
import type { World } from '../world/world.js';
import { buildWorld } from '../world/build-world.js';
import { resolveSpec, replayCommand, TrialSpec, ResolvedSpec } from './spec.js';
import { TrialRecord, Outcome, FaultRecord } from './record.js';
import { profileFor } from './profile.js';
import { resolveFaults } from '../faults/select.js';
import { Injector } from '../faults/injector.js';
import type { App } from '../apps/types.js';
import type { RecoveryStrategy, StrategyReport } from '../recovery/types.js';
import { CPU_COMPONENTS } from '../kernel/cpu.js';
import type { FaultSpec } from '../faults/types.js';
import { runLongRun, isLongRun } from './long-run.js';
import { inTrialScope } from '../sim/slab.js';

export interface TrialOptions {
  trace?: boolean;
  /** Sample what the strategy retains for recovery every this many µs (record.logSeries). Off by
   *  default: the sampler's events would change the run's event order. */
  sampleLogEveryUs?: number;
  /** A nemesis (after Jepsen): given the world before boot, it may schedule interference of its
   *  own (e.g. a wild write into a buffer) to show that an oracle sees what it checks for. */
  nemesis?: (w: World) => void;
}

export function runTrial(input: TrialSpec, opts: TrialOptions = {}): TrialRecord {
  return inTrialScope(() => trial(input, opts));
}

function trial(input: TrialSpec, opts: TrialOptions): TrialRecord {
  const spec = resolveSpec(input);
  // Faults arriving inside one long run (availability measured from the clients' view).
  if (isLongRun(input, spec.params)) return runLongRun(spec, input.fault ?? null).record;
  let workloadEndUs: number | null = null;
  if (input.fault) {
    const profile = profileFor(spec, (s, at) => simulate(s, { coverageAtUs: at }).coverage);
    const faults = resolveFaults(input.fault, profile, new RngStreams(spec.seed).get('fault'), spec.params.transientShare, spec.params.armWindowShare);
    spec.fault = faults[0];
    if (faults.length > 1) spec.extraFaults = faults.slice(1);
    workloadEndUs = profile.endUs;
  }
  const record = simulate(spec, opts).record;
  for (const f of [record.fault, ...(record.extraFaults ?? [])]) if (f) f.workloadEndUs = workloadEndUs;
  return record;
}

interface SimOptions extends TrialOptions { coverageAtUs?: number }

/** Run `fn`; a kernel panic inside it just ends the run (the kernel has recorded why). */
function survivingCrash(fn: () => void): void {
  try { fn(); } catch (e) { if (!(e instanceof SystemCrash)) throw e; }
}


function simulate(spec: ResolvedSpec, opts: SimOptions) {
  const rng = new RngStreams(spec.seed);
  const trace = new Trace(opts.trace ?? false);
  const strategy = STRATEGIES.find((s) => s.id === spec.strategy)!.create();
  const w = buildWorld(spec.params, rng, trace, strategy.isolation, DRIVERS.find((d) => d.id === spec.driver)!);
  const planted: FaultSpec[] = spec.fault ? [spec.fault, ...(spec.extraFaults ?? [])] : [];
  const injector = planted.length > 0
    ? new Injector(planted, w.k.sched, rng, spec.params.transientFireShare, (kind, msg) => w.k.log(kind, msg),
      { loadCount: () => w.k.loadCount, liveLoad: () => w.k.loadCount > 0 ? (w.core.driver?.loadSeq ?? 0) : 0 })
    : null;
  w.k.interceptor = injector;
  w.k.exactRequestTags = planted.some((f) => f.trigger !== undefined) || strategy.readsRequestTags === true;
  let appDone = false;
  const app = APPS.find((a) => a.id === spec.app)!.create({
    world: w, rng: rng.get('workload'), finish: () => { if (!appDone) { w.k.log('app', `${spec.app} finished`); w.k.cpu.mark('app-end'); } appDone = true; w.k.sched.stop(); },
  });
  let before = new Map<string, SiteCoverage>();
  if (opts.coverageAtUs !== undefined) {
    w.k.sched.schedule(opts.coverageAtUs, 'profile', () => { before = new Map([...w.k.coverage].map(([s, c]) => [s, { ...c }])); }, -20);
  }
  const logSeries: Array<[number, number]> = [];
  const every = opts.sampleLogEveryUs;
  if (every !== undefined && every > 0) {
    const sample = (): void => { logSeries.push([w.k.now, strategy.retainedBytes?.() ?? 0]); w.k.sched.schedule(every, 'log-sample', sample, 20); };
    w.k.sched.schedule(0, 'log-sample', sample, 20);
  }
  opts.nemesis?.(w);
  survivingCrash(() => boot(w, strategy, app, spec));
  // After boot the application is the process on whose behalf the kernel calls the driver; if an
  // oops kills it, its work ends there (the run stops: nothing of it is left to observe).
  let appKilled: string | null = null;
  if (!w.k.crashReason) survivingCrash(() => { appKilled = w.k.runAs(spec.app, () => w.k.sched.run(spec.params.trialDeadlineUs, spec.params.maxEventsPerTrial)); });
  // The kernel's last look: corruption it has not stumbled on yet still counts.
  if (!w.k.crashReason) survivingCrash(() => w.k.checkIntegrity());
  const record = buildRecord(spec, w, strategy, app, appDone, appKilled, trace, injector);
  if (every !== undefined && every > 0) record.logSeries = logSeries;
  w.k.mem.release();
  return { record, coverage: { endUs: w.k.now, before, after: w.k.coverage } };
}

/** The boot scripts' processes, per class: who loads the module and who brings the device up. */
const BRING_UP_PROCESS: Record<string, string> = { network: 'ifconfig', sound: 'aumix', block: 'mount' };

function boot(w: World, strategy: RecoveryStrategy, app: App, spec: ResolvedSpec): void {
  const insmod = w.k.runAs('insmod', () => strategy.attach(w));
  if (insmod !== null) {
    // The module never finished loading: the device was never registered, so every call fails.
    w.k.log('boot', `insmod killed (${insmod}): no device`);
    w.core.ops = Object.fromEntries(Object.entries(w.core.entryPoints).map(([entry, fail]) => [entry, () => fail]));
  } else {
    let r = 0;
    const killed = w.k.runAs(BRING_UP_PROCESS[w.cls], () => { r = w.core.bringUp(); }); // the boot scripts bring the device up
    if (killed !== null) w.k.log('boot', `${BRING_UP_PROCESS[w.cls]} killed (${killed})`);
    else if (r !== 0) w.k.log('boot', `device failed to come up (${r})`);
  }
  // CPU and crossings are measured over the app's run, from its start to its finish.
  w.k.sched.schedule(spec.params.appStartUs, 'app-start', () => { w.k.cpu.mark('app-start'); app.start(); });
}

/** Out of service from each detected failure until the interface carried traffic again
 *  (recovery: only failures that came back; downtime: all, to the end of the run if never). */
function serviceGaps(w: World, s: StrategyReport, endUs: number): { recoveryUs: number; downtimeUs: number } {
  // A class that observes service itself (network: carrier) says when the device is back;
  // otherwise the end of a recovery is the time it is back.
  // A failover continues service at once, whatever the class observes.
  const back = [...(w.core.observesService ? w.core.inServiceUs : s.restoredAtUs), ...s.continuedAtUs].sort((a, b) => a - b);
  const standby = new Set(s.standbyFailureAtUs);
  let recoveryUs = 0, downtimeUs = 0;
  for (const f of w.k.failures) {
    if (standby.has(f.atUs)) continue; // a standby failed: the service never noticed
    const up = back.find((t: number) => t >= f.atUs);
    if (up !== undefined) recoveryUs += up - f.atUs;
    downtimeUs += (up ?? endUs) - f.atUs;
  }
  return { recoveryUs, downtimeUs };
}

function cpuSummary(w: World): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of CPU_COMPONENTS) out[`${c}Us`] = Math.round(w.k.cpu.ns[c] / 1000);
  out.totalUs = Math.round(w.k.cpu.totalNs() / 1000);
  out.utilization = w.k.now > 0 ? Math.round((1e4 * w.k.cpu.doneNs()) / 1000 / w.k.now) / 1e4 : 0;
  // Crossings counted where they happen, and per second over the app's measured interval.
  const c = w.k.cpu.crossings, window = cpuWindow(w);
  out.crossingsIn = c.in;
  out.crossingsOut = c.out;
  if (window) Object.assign(out, window);
  return out;
}

/** Utilisation and crossing rate over the interval the app measured (its marks), if it did. */
function cpuWindow(w: World): Record<string, number> | null {
  const cpu = w.k.cpu, a = cpu.marks['app-start'], b = cpu.marks['app-end'];
  const u = cpu.utilizationBetween('app-start', 'app-end');
  if (!a || !b || u === null) return null;
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const us = b.atUs - a.atUs;
  return { windowUs: us, windowUtilization: round(u), crossingsPerSec: Math.round((b.crossings - a.crossings) / (us / 1e6)) };
}

function decide(w: World, app: App, appDone: boolean, appKilled: string | null, injector: Injector | null): { outcome: Outcome; reason: string } {
  if (w.k.sched.budgetExceeded) return { outcome: 'harness-error', reason: `event budget of ${w.k.params.maxEventsPerTrial} exceeded at ${w.k.now} us` };
  // A fault whose firings changed no value or operation left the run identical to a fault-free one.
  if (injector && injector.planted.every((p) => p.activity.changed === 0)) {
    const fired = injector.fired;
    return {
      outcome: 'not-activated',
      reason: !injector.anyArmed ? 'the run ended before the fault armed'
        : fired > 0 ? `the fault fired ${fired} times but never changed a value or operation` : 'the faulty site never ran after the fault armed',
    };
  }
  if (w.k.crashReason) return { outcome: 'system-crash', reason: w.k.crashReason };
  if (appKilled !== null) return { outcome: 'app-failed', reason: `killed by the kernel: ${appKilled}` };
  const v = app.verdict();
  if (appDone) return v;
  // An app that never finished is hung (its work stopped without an error): whatever it checked
  // of the work it did, the user sees it stuck.
  if (v.outcome === 'correct') return { outcome: 'malfunction', reason: `hung: not finished by the deadline (of what it did: ${v.reason})` };
  return { outcome: v.outcome, reason: `${v.reason} (not finished by the deadline)` };
}

function buildRecord(spec: ResolvedSpec, w: World, strategy: RecoveryStrategy, app: App, appDone: boolean, appKilled: string | null, trace: Trace, injector: Injector | null): TrialRecord {
  const k = w.k;
  const { outcome, reason } = decide(w, app, appDone, appKilled, injector);
  const s = strategy.report();
  const first = k.failures[0];
  // Object.assign, not `{ ...fault, ...activity, more }`: V8 gives a literal that starts with a
  // spread and adds keys a new hidden class on every call (see Kernel.resourceApi). Same key order.
  const faults: FaultRecord[] = (injector?.planted ?? []).map((p) => Object.assign({}, p.fault, p.activity, {
    latentGapUs: first && p.activity.firstFiredUs !== null ? first.atUs - p.activity.firstFiredUs : null,
    workloadEndUs: null,
  }));
  const fault = faults[0] ?? null;
  return {
    spec, outcome, reason,
    detected: first ? { kind: first.kind, atUs: first.atUs, site: first.site, entry: first.entry, message: first.message } : null,
    failures: k.failures.length,
    recoveries: { attempted: s.recoveriesAttempted, succeeded: s.recoveriesSucceeded, gaveUp: s.gaveUp },
    ...serviceGaps(w, s, k.now),
    log: s.log,
    recoveryPhasesUs: s.phasesUs,
    strategyStats: s.stats,
    cpu: cpuSummary(w),
    fault,
    ...(faults.length > 1 ? { extraFaults: faults.slice(1) } : {}),
    oopses: k.oopses,
    app: app.metrics(),
    virtualUs: k.now,
    events: k.sched.eventsRun,
    instructions: [...k.coverage.values()].reduce((n, c) => n + c.count, 0),
    traceHash: trace.hash(),
    replay: replayCommand(spec),
    ...(trace.events ? { trace: trace.events } : {}),
  };
}
