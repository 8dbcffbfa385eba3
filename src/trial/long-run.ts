// Availability measured in one long run: a long-lived service (request-server) runs for hours
// of virtual time while faults arrive as a Poisson process inside the run. Each arrival plants
// a new fault of the requested persistence, drawn like a single trial's; the strategy detects
// and recovers in the same run; a monitor restarts the app when clients stop being answered
// and reboots the machine when that does not help; a crash reboots it. A reboot is a new world
// after the modelled reboot time, with every deterministic fault so far still in the driver
// binary. Availability is the share of the clients' requests answered within the deadline.
import { RngStreams } from '../sim/rng.js';
import { Trace } from '../sim/trace.js';
import { SystemCrash } from '../sim/faults.js';
import type { SiteCoverage, SiteExec, SiteInterceptor } from '../sim/exec.js';
import { DRIVERS, STRATEGIES } from '../registry.js';
import { buildWorld } from '../world/build-world.js';
import type { NetWorld } from '../world/net-world.js';
import type { ResolvedSpec, TrialSpec } from './spec.js';
import type { TrialRecord, Outcome } from './record.js';
import { resolveFault, FaultRequest, Profile } from '../faults/select.js';
import { Injector } from '../faults/injector.js';
import type { FaultSpec } from '../faults/types.js';
import { RequestServer, RequestClient } from '../apps/net/request-server.js';
import { DEFAULT_PARAMS, Params } from '../params.js';

/** Every planted fault sees every site execution (one interceptor for the kernel). */
class FaultSet implements SiteInterceptor {
  readonly injectors: Injector[] = [];
  onSite(e: SiteExec): void { for (const i of this.injectors) i.onSite(e); }
}

/** What happened to one arrived fault until the next arrived (for the composed figures). */
export interface FaultFate { atUs: number; persistence: string; fired: boolean; failures: number; recovered: number; appRestarts: number; reboots: number; recoveryUs: number }

export interface LongRunResult {
  requests: number; inTime: number; late: number; failed: number; availability: number;
  faultsArrived: number; faultsFired: number; failuresDetected: number; recoveriesSucceeded: number;
  appRestarts: number; reboots: number; epochs: number; horizonUs: number; events: number;
  fates: FaultFate[];
}

/** Sites the service executes in a fault-free run (where arrivals may plant faults). */
function serviceProfile(spec: ResolvedSpec): Profile {
  const w = buildWorld(spec.params, new RngStreams(0), new Trace(false), false, DRIVERS.find((d) => d.id === spec.driver)!) as NetWorld;
  STRATEGIES.find((s) => s.id === 'native')!.create().attach(w);
  w.core.bringUp();
  const startUs = spec.params.appStartUs, endUs = startUs + 5_000_000;
  let before = new Map<string, SiteCoverage>();
  w.k.sched.schedule(startUs, 'profile', () => {
    before = new Map([...w.k.coverage].map(([s, c]) => [s, { ...c }]));
    new RequestServer(w.netdev).start();
    new RequestClient(spec.params.serverRequestIntervalUs, spec.params.availDeadlineUs).attach(w.peer, w.k.sched, 0, endUs);
  });
  w.k.sched.run(endUs);
  const sites = new Map<string, SiteCoverage>();
  for (const [site, c] of w.k.coverage) {
    const ran = c.count - (before.get(site)?.count ?? 0);
    if (ran > 0) sites.set(site, { ...c, count: ran, withRequest: c.withRequest - (before.get(site)?.withRequest ?? 0) });
  }
  const allSites = new Map(w.k.coverage);
  w.k.mem.release();
  return { sites, allSites, startUs, endUs };
}

export function runLongRun(spec: ResolvedSpec, req: FaultRequest | null): { record: TrialRecord; result: LongRunResult } {
  const p = spec.params, horizonUs = p.longRunUs;
  const root = new RngStreams(spec.seed);
  const arrivals = root.get('long-run/arrivals'), pick = root.get('fault');
  const profile = req ? serviceProfile(spec) : null;
  const client = new RequestClient(p.serverRequestIntervalUs, p.availDeadlineUs);
  const binaryBugs: Array<{ f: FaultSpec; fate: FaultFate }> = []; // deterministic: in the driver binary for good
  const fates: FaultFate[] = [];
  /** The fault that arrived last before `globalUs` (what a failure or an action is charged to). */
  const fateAt = (globalUs: number): FaultFate | undefined => { let out: FaultFate | undefined; for (const f of fates) if (f.atUs <= globalUs) out = f; return out; };
  let nextArrivalUs = req ? arrivals.exp(p.faultArrivalMeanUs) : Infinity;
  let offsetUs = 0, epochs = 0, events = 0, appRestarts = 0, reboots = 0, failures = 0, recovered = 0;

  while (offsetUs < horizonUs) {
    const rng = new RngStreams(epochs === 0 ? spec.seed : spec.seed * 1000 + epochs);
    const strategy = STRATEGIES.find((s) => s.id === spec.strategy)!.create();
    const w = buildWorld(p, rng, new Trace(false), strategy.isolation, DRIVERS.find((d) => d.id === spec.driver)!) as NetWorld;
    const faults = new FaultSet();
    w.k.interceptor = faults;
    const planted: Array<[Injector, FaultFate]> = [];
    const plant = (f: FaultSpec, fa: FaultFate): void => {
      const inj = new Injector([f], w.k.sched, rng, p.transientFireShare, (kind, msg) => w.k.log(kind, msg), { loadCount: () => w.k.loadCount, liveLoad: () => w.core.driver?.loadSeq ?? 0 });
      faults.injectors.push(inj);
      planted.push([inj, fa]);
    };
    for (const b of binaryBugs) plant({ ...b.f, armAtUs: 0 }, b.fate);
    const localEnd = horizonUs - offsetUs;
    let reboot = false, server: RequestServer | null = null, restartedAtUs = -Infinity;
    const startServer = (): void => { server = new RequestServer(w.netdev); server.start(); };
    const arrive = (): void => {
      const f = resolveFault({ ...req!, armAtUs: w.k.now + 1 }, profile!, pick, p.transientShare, p.armWindowShare);
      const fa: FaultFate = { atUs: offsetUs + w.k.now, persistence: f.persistence, fired: false, failures: 0, recovered: 0, appRestarts: 0, reboots: 0, recoveryUs: 0 };
      fates.push(fa);
      if (f.persistence === 'deterministic') binaryBugs.push({ f, fate: fa });
      plant(f, fa);
      nextArrivalUs += arrivals.exp(p.faultArrivalMeanUs);
      scheduleArrival();
    };
    const scheduleArrival = (): void => {
      if (nextArrivalUs < horizonUs) w.k.sched.schedule(Math.max(0, Math.ceil(nextArrivalUs - offsetUs - w.k.now)), 'fault-arrival', arrive, -6);
    };
    // The monitor: no client answered for the notice time -> restart the app; if that did not
    // help within another notice time -> reboot.
    const monitor = (): void => {
      const now = offsetUs + w.k.now, quiet = now - Math.max(client.lastInTimeUs, offsetUs + p.appStartUs, restartedAtUs);
      if (quiet >= p.availMalfunctionNoticeUs) {
        if (restartedAtUs > client.lastInTimeUs && now - restartedAtUs >= p.availMalfunctionNoticeUs) { reboot = true; w.k.sched.stop(); return; }
        if (restartedAtUs <= client.lastInTimeUs || restartedAtUs < 0) {
          appRestarts++;
          const fa = fateAt(now); if (fa) fa.appRestarts++;
          restartedAtUs = now;
          server?.stop();
          server = null;
          w.k.log('monitor', 'clients not answered: restarting the service');
          w.k.sched.schedule(p.availAppRestartUs, 'app-restart', startServer);
        }
      }
      w.k.sched.schedule(p.monitorPeriodUs, 'monitor', monitor, 20);
    };
    try {
      // Native: an oops in process context kills the calling process (kernel.ts); at boot that
      // is insmod or ifconfig, later the service (the monitor then restarts it).
      w.k.runAs('insmod', () => strategy.attach(w));
      w.k.runAs('ifconfig', () => w.core.bringUp());
      w.k.sched.schedule(p.appStartUs, 'app-start', startServer);
      // The clients come when the service first starts; after a reboot they are already waiting.
      if (epochs === 0) client.startAt(p.appStartUs);
      client.attach(w.peer, w.k.sched, offsetUs, horizonUs);
      w.k.sched.schedule(p.appStartUs + p.monitorPeriodUs, 'monitor', monitor, 20);
      scheduleArrival();
      while (w.k.runAs('request-server', () => w.k.sched.run(localEnd, Infinity)) !== null) { w.k.log('process', 'request-server killed by an oops'); (server as RequestServer | null)?.stop(); server = null; }
    } catch (e) { if (!(e instanceof SystemCrash)) throw e; }
    // What this world's faults did and the strategy's books.
    for (const [inj, fa] of planted) if (inj.planted.some((x) => x.activity.changed > 0)) fa.fired = true;
    const rep = strategy.report();
    failures += w.k.failures.length;
    recovered += rep.recoveriesSucceeded;
    for (const f of w.k.failures) { const fa = fateAt(offsetUs + f.atUs); if (fa) fa.failures++; }
    // Each success ends the outage of the failure before it: its time is charged to that fault.
    for (const t of rep.restoredAtUs) {
      const fa = fateAt(offsetUs + t), f = [...w.k.failures].reverse().find((x) => x.atUs <= t);
      if (fa) { fa.recovered++; if (f) fa.recoveryUs += t - f.atUs; }
    }
    events += w.k.sched.eventsRun;
    epochs++;
    const endedUs = offsetUs + w.k.now;
    w.k.mem.release();
    if (!w.k.crashReason && !reboot) break; // reached the horizon
    reboots++;
    const fa = fateAt(endedUs);
    if (fa) fa.reboots++;
    offsetUs = endedUs + p.availRebootUs;
    // Requests due while the machine rebooted reach nobody; faults do not arrive while it is down.
    client.skipTo(Math.min(offsetUs, horizonUs));
    while (nextArrivalUs < offsetUs) nextArrivalUs = offsetUs + arrivals.exp(p.faultArrivalMeanUs);
  }
  const result: LongRunResult = {
    requests: client.sent, inTime: client.inTime, late: client.late, failed: client.failed,
    availability: client.sent > 0 ? client.inTime / client.sent : 1,
    faultsArrived: fates.length, faultsFired: fates.filter((f) => f.fired).length, failuresDetected: failures, recoveriesSucceeded: recovered,
    appRestarts, reboots, epochs, horizonUs, events, fates,
  };
  return { record: longRunRecord(spec, req, result), result };
}

function longRunRecord(spec: ResolvedSpec, req: FaultRequest | null, r: LongRunResult): TrialRecord {
  const outcome: Outcome = r.reboots > 0 ? 'system-crash' : r.failed > 0 ? 'malfunction' : 'correct';
  const changed = Object.entries(spec.params).filter(([k, v]) => DEFAULT_PARAMS[k as keyof Params] !== v);
  const fault = req ? ` --fault ${req.type ?? 'random'}${req.persistence ? ` --persistence ${req.persistence}` : ''}` : ' --fault none';
  const { fates, ...counts } = r;
  return {
    spec, outcome,
    reason: `${r.inTime} of ${r.requests} requests answered within the deadline (${(100 * r.availability).toFixed(3)}%); ${r.faultsArrived} faults arrived, ${r.failuresDetected} failures detected, ${r.recoveriesSucceeded} recovered, ${r.appRestarts} app restarts, ${r.reboots} reboots`,
    detected: null, failures: r.failuresDetected,
    recoveries: { attempted: r.failuresDetected, succeeded: r.recoveriesSucceeded, gaveUp: false },
    recoveryUs: 0, downtimeUs: 0,
    log: { peakEntries: 0, peakBytes: 0, atFailureEntries: 0, atFailureBytes: 0 }, recoveryPhasesUs: {}, strategyStats: {}, cpu: {},
    fault: null,
    app: { ...counts },
    longRun: { persistence: req?.persistence ?? 'mixed', faultArrivalMeanUs: spec.params.faultArrivalMeanUs, fates },
    virtualUs: r.horizonUs, events: r.events, instructions: 0, traceHash: '',
    replay: `npx shadowbench trial --driver ${spec.driver} --app ${spec.app} --strategy ${spec.strategy} --seed ${spec.seed}${fault}${changed.map(([k, v]) => ` --param ${k}=${v}`).join('')}`,
    oopses: [],
  } as TrialRecord;
}

/** A long-run trial: one whose parameters give it a horizon. */
export const isLongRun = (input: TrialSpec, p: Params): boolean => (input.params?.longRunUs ?? p.longRunUs) > 0;

