// The injector: an interceptor on every site execution that applies the planted mutations.
// One trial may plant several independent faults (Nooks planted five per trial); each keeps its
// own activity. Where a fault lives follows its persistence (types.ts):
// - deterministic: in the driver binary, so in every instance (reloads and replicas included);
// - image: in the code of the one instance that was loaded when it was planted (the paper's
//   injector); any later load brings a clean copy;
// - transient: in the instances loaded before it armed, and only when an environmental condition
//   (a race window hit, memory pressure) drawn afresh per execution from the instance's own stream holds.
import type { SiteExec, SiteInterceptor } from '../sim/exec.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { RngStreams } from '../sim/rng.js';
import { FaultSpec, triggeredBy } from './types.js';

/** One firing: when, in which instance and which load of it (reloads count up), what it did, and
 *  whether the value or operation actually differed from the original. */
export interface Firing { atUs: number; instance: string; load: number; effect: string; changed: boolean }

export interface FaultActivity {
  armedAtUs: number | null;
  /** Executions of the mutated site where the mutation applied. */
  fired: number;
  /** Of those, firings whose value or operation differed from the original (a deleted store of the
   *  value already there, a deleted branch whose condition held anyway, a flipped argument bit the
   *  kernel service ignores, do not count). Whether later behaviour changed is not judged here. */
  changed: number;
  firstFiredUs: number | null;
  firstChangedUs: number | null;
  /** The driver loads (instance load numbers) in which it fired, in order. */
  firedInLoads: number[];
  /** The first firings, with what each changed (later ones are only counted). */
  firings: Firing[];
}

const KEEP_FIRINGS = 10;

/** Where the world tells the injector about loads: how many so far, and which instance is live. */
export interface LoadView {
  loadCount(): number;
  /** The load sequence number of the instance the kernel currently serves (0 if none). */
  liveLoad(): number;
}

class PlantedFault {
  armed = false;
  /** transient: instances loaded up to this one carry it; image: exactly this instance does. */
  armLoad = 0;
  readonly activity: FaultActivity = { armedAtUs: null, fired: 0, changed: 0, firstFiredUs: null, firstChangedUs: null, firedInLoads: [], firings: [] };
  constructor(readonly fault: FaultSpec) {}

  /** Does the mutation live in the instance that is executing? */
  livesIn(e: SiteExec): boolean {
    switch (this.fault.persistence) {
      case 'deterministic': return true;
      case 'image': return e.generation === this.armLoad;
      case 'transient': return e.generation <= this.armLoad;
    }
  }
}

export class Injector implements SiteInterceptor {
  readonly planted: PlantedFault[];
  private readonly bySite = new Map<string, PlantedFault[]>();

  constructor(
    faults: readonly FaultSpec[],
    private readonly sched: Scheduler,
    private readonly rng: RngStreams,
    private readonly transientFireShare: number,
    private readonly log: (kind: string, msg: string) => void,
    loads: LoadView,
  ) {
    this.planted = faults.map((f) => new PlantedFault(f));
    for (const p of this.planted) {
      const list = this.bySite.get(p.fault.site) ?? [];
      list.push(p);
      this.bySite.set(p.fault.site, list);
      const f = p.fault;
      const arm = (load: number) => {
        p.armed = true;
        p.armLoad = load;
        p.activity.armedAtUs = sched.now;
        log('fault', `armed ${f.persistence} ${f.type} at ${f.site}${f.persistence === 'image' ? ` in load ${load}` : ''}`);
      };
      // Planted at boot: present in the instance about to be loaded (and, for an image fault, only there).
      if (f.armAtUs <= sched.now) arm(loads.loadCount() + 1);
      else sched.schedule(f.armAtUs - sched.now, 'fault-arm', () => arm(f.persistence === 'image' ? loads.liveLoad() : loads.loadCount()), -5);
    }
  }

  /** Did any planted fault fire? */
  get fired(): number { return this.planted.reduce((n, p) => n + p.activity.fired, 0); }
  get anyArmed(): boolean { return this.planted.some((p) => p.armed); }

  watches(site: string): boolean { return this.bySite.has(site); }

  onSite(e: SiteExec): void {
    const list = this.bySite.get(e.site);
    if (list === undefined) return;
    for (const p of list) this.apply(p, e);
  }

  private apply(p: PlantedFault, e: SiteExec): void {
    const f = p.fault;
    if (!p.armed || !p.livesIn(e)) return;
    if (f.trigger !== undefined && !triggeredBy(e.request, f.trigger, f.bit)) return;
    if (f.persistence === 'transient' && !this.rng.get(`env/fault/${e.instance}`).chance(this.transientFireShare)) return;
    const { effect, changed } = mutate(f, e);
    const a = p.activity;
    a.fired++;
    if (a.firstFiredUs === null) a.firstFiredUs = this.sched.now;
    if (!a.firedInLoads.includes(e.generation)) a.firedInLoads.push(e.generation);
    if (changed) { a.changed++; if (a.firstChangedUs === null) a.firstChangedUs = this.sched.now; }
    if (a.firings.length < KEEP_FIRINGS) {
      a.firings.push({ atUs: this.sched.now, instance: e.instance, load: e.generation, effect, changed });
      this.log('fault', `fired in ${e.instance} at ${e.site}: ${effect}${changed ? '' : ' (no change)'}`);
    }
  }
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Apply the mutation to one execution; say what it did and whether that differed from the original. */
function mutate(f: FaultSpec, e: SiteExec): { effect: string; changed: boolean } {
  const bit = f.bit & 31;
  switch (f.type) {
    case 'branch-invert': e.value = e.value ? 0 : 1; return { effect: `condition ${e.value ? 'false->true' : 'true->false'}`, changed: true };
    case 'branch-delete': {
      const held = e.value !== 0;
      e.value = 1;
      return { effect: held ? 'guarded block runs (its condition held anyway)' : 'guarded block runs', changed: !held };
    }
    case 'value-corrupt-src':
    case 'pointer-corrupt': { const was = e.value; e.value = (e.value ^ (1 << bit)) >>> 0; return { effect: `value ${hex(was)} -> ${hex(e.value)}`, changed: true }; }
    case 'value-corrupt-dst': {
      const was = e.addr;
      e.addr = (e.addr ^ (1 << bit)) >>> 0;
      // Nothing differs only if the intended place already held the value and the wild write
      // leaves its target as it was.
      const same = e.peek !== undefined && e.peek(was) === (e.value >>> 0) && e.peek(e.addr) === (e.value >>> 0);
      return { effect: `store to ${hex(e.addr)} instead of ${hex(was)}`, changed: !same };
    }
    case 'store-delete': {
      e.skip = true;
      const same = e.peek !== undefined && e.peek(e.addr) === (e.value >>> 0);
      return { effect: `store of ${hex(e.value)} to ${hex(e.addr)} skipped${same ? ' (the value was there already)' : ''}`, changed: !same };
    }
    case 'loop-off-by-one': e.value += 1; return { effect: `loop bound ${e.value - 1} -> ${e.value}`, changed: true };
    case 'alloc-fail': e.skip = true; return { effect: `allocation of ${e.value} bytes failed`, changed: true };
    case 'irq-lost': e.skip = true; return { effect: 'interrupt lost', changed: true };
    case 'bad-param': {
      if (e.args.length === 0) return { effect: 'no argument to corrupt', changed: false };
      const i = (f.bit >>> 5) % e.args.length;
      const before = e.args.slice();
      e.args[i] = (e.args[i] ^ (1 << bit)) >>> 0;
      // A kernel service that reads only part of an argument (a status's sign, a flag's truth)
      // says so through `canon`: a flipped bit it ignores changes nothing.
      const changed = e.canon === undefined || !sameArgs(e.canon(before), e.canon(e.args));
      return { effect: `argument ${i} ${hex(before[i])} -> ${hex(e.args[i])}${changed ? '' : ' (a bit the service ignores)'}`, changed };
    }
  }
}

function sameArgs(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
