// The injector: an interceptor on every site execution that applies one planted mutation.
// Deterministic faults are part of the driver image: once armed they fire in every instance
// (reloads and replicas included) whenever the site runs. Transient faults also need an
// environmental condition (a race window hit, memory pressure) drawn afresh per execution
// from each instance's own stream, and live only in instances loaded before they armed.
import type { SiteExec, SiteInterceptor } from '../sim/exec.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { RngStreams } from '../sim/rng.js';
import { FaultSpec, triggeredBy } from './types.js';

/** One firing: when, in which instance and which load of it (reloads count up), and what changed. */
export interface Firing { atUs: number; instance: string; load: number; effect: string }

export interface FaultActivity {
  armedAtUs: number | null;
  fired: number;
  firstFiredUs: number | null;
  /** The first firings, with what each changed (later ones are only counted). */
  firings: Firing[];
}

const KEEP_FIRINGS = 10;

export class Injector implements SiteInterceptor {
  private armed = false;
  /** Loads that happened before arming: a transient fault lives only in those instances. */
  private armLoadSeq = 0;
  readonly activity: FaultActivity = { armedAtUs: null, fired: 0, firstFiredUs: null, firings: [] };

  constructor(
    readonly fault: FaultSpec,
    private readonly sched: Scheduler,
    private readonly rng: RngStreams,
    private readonly transientFireShare: number,
    private readonly log: (kind: string, msg: string) => void,
    loadCount: () => number,
  ) {
    const arm = (loadSeq: number) => {
      this.armed = true;
      this.armLoadSeq = loadSeq;
      this.activity.armedAtUs = sched.now;
      log('fault', `armed ${fault.persistence} ${fault.type} at ${fault.site}`);
    };
    // Planted at boot: present in the instance about to be loaded.
    if (fault.armAtUs <= sched.now) arm(loadCount() + 1);
    else sched.schedule(fault.armAtUs - sched.now, 'fault-arm', () => arm(loadCount()), -5);
  }

  onSite(e: SiteExec): void {
    if (!this.armed || e.site !== this.fault.site) return;
    if (this.fault.trigger !== undefined && !triggeredBy(e.request, this.fault.trigger, this.fault.bit)) return;
    if (this.fault.persistence === 'transient') {
      if (e.generation > this.armLoadSeq) return; // a reload removed it
      if (!this.rng.get(`env/fault/${e.instance}`).chance(this.transientFireShare)) return;
    }
    const effect = this.mutate(e);
    if (effect === null) return;
    const a = this.activity;
    a.fired++;
    if (a.firstFiredUs === null) a.firstFiredUs = this.sched.now;
    if (a.firings.length < KEEP_FIRINGS) {
      a.firings.push({ atUs: this.sched.now, instance: e.instance, load: e.generation, effect });
      this.log('fault', `fired in ${e.instance} at ${e.site}: ${effect}`);
    }
  }

  /** Apply the mutation; returns what it changed, or null if it changed nothing. */
  private mutate(e: SiteExec): string | null {
    const bit = this.fault.bit & 31;
    const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
    switch (this.fault.type) {
      case 'branch-invert': e.value = e.value ? 0 : 1; return `condition ${e.value ? 'false->true' : 'true->false'}`;
      case 'branch-delete': if (e.value) return null; e.value = 1; return 'guarded block runs';
      case 'value-corrupt-src':
      case 'pointer-corrupt': { const was = e.value; e.value = (e.value ^ (1 << bit)) >>> 0; return `value ${hex(was)} -> ${hex(e.value)}`; }
      case 'value-corrupt-dst': { const was = e.addr; e.addr = (e.addr ^ (1 << bit)) >>> 0; return `store to ${hex(e.addr)} instead of ${hex(was)}`; }
      case 'store-delete': e.skip = true; return `store of ${hex(e.value)} to ${hex(e.addr)} skipped`;
      case 'loop-off-by-one': e.value += 1; return `loop bound ${e.value - 1} -> ${e.value}`;
      case 'alloc-fail': e.skip = true; return `allocation of ${e.value} bytes failed`;
      case 'irq-lost': e.skip = true; return 'interrupt lost';
      case 'bad-param': {
        if (e.args.length === 0) return null;
        const i = (this.fault.bit >>> 5) % e.args.length;
        const was = e.args[i];
        e.args[i] = (e.args[i] ^ (1 << bit)) >>> 0;
        return `argument ${i} ${hex(was)} -> ${hex(e.args[i])}`;
      }
    }
  }
}
