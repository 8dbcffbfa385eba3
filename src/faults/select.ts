// Choosing a fault as the paper's injector did: a site among those the workload executes in
// a fault-free run, a mutation that fits it, and a random time to plant it.
import type { SiteCoverage } from '../sim/exec.js';
import type { Rng } from '../sim/rng.js';
import { FAULT_TYPES, FAULT_IDS, FaultSpec, FaultTypeId, Persistence, PERSISTENCES } from './types.js';
import { SpecError } from '../trial/spec-error.js';

/** What a user asks for; anything left out is drawn from the `fault` stream. */
export interface FaultRequest {
  type?: FaultTypeId | 'random';
  site?: string;
  persistence?: Persistence;
  armAtUs?: number;
  bit?: number;
  /** Make it a request-triggered deterministic fault firing on 1 in `trigger` requests. */
  trigger?: number;
  /** Plant this many independent faults (Nooks planted five per trial); default 1. The first is
   *  resolved from the fields above, the others are drawn (type, site, time, bit) with the same
   *  type and persistence rules, each at a site none of the others uses. */
  count?: number;
  /** Fully resolved further faults (a replay); when given, `count` is 1 + their number. */
  extra?: FaultSpec[];
}

export const MAX_FAULTS_PER_TRIAL = 16;

/** Resolve every fault of a request: the first as `resolveFault` does, then the others. */
export function resolveFaults(req: FaultRequest, profile: Profile, rng: Rng, transientShare: number, armWindowShare: number): FaultSpec[] {
  const count = req.extra ? 1 + req.extra.length : req.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_FAULTS_PER_TRIAL) throw new SpecError(`faults per trial must be an integer from 1 to ${MAX_FAULTS_PER_TRIAL}, got '${req.count}'`);
  const first = resolveFault(req, profile, rng, transientShare, armWindowShare);
  if (req.extra) {
    for (const f of req.extra) resolveFault({ ...f, count: 1 }, profile, rng, transientShare, armWindowShare); // validates each
    return [first, ...req.extra];
  }
  const out = [first];
  const drawn: FaultRequest = { type: req.type, persistence: req.persistence, trigger: req.trigger };
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 50 * count) throw new SpecError(`could not place ${count} faults at distinct sites of this workload (it runs too few sites${req.type && req.type !== 'random' ? ` for ${req.type}` : ''})`);
    const f = resolveFault(drawn, profile, rng, transientShare, armWindowShare);
    if (!out.some((o) => o.site === f.site)) out.push(f);
  }
  return out;
}

/** A fault-free run of the workload: the sites it executed during the app's run (random
 *  faults go there), every site it executed including boot (a named site may be any of
 *  these), and the window in which faults are planted. */
export interface Profile { sites: ReadonlyMap<string, SiteCoverage>; allSites: ReadonlyMap<string, SiteCoverage>; startUs: number; endUs: number }

/** Sites per (profile, type, boot, requests): a profile is taken once per workload and never
 *  changed, and every trial of the workload asks for the same lists (several per trial). */
const eligibleCache = new WeakMap<Profile, Map<string, readonly string[]>>();

export function eligibleSites(type: FaultTypeId, profile: Profile, includeBoot = false, onRequests = false): readonly string[] {
  let byKey = eligibleCache.get(profile);
  if (!byKey) eligibleCache.set(profile, (byKey = new Map()));
  const key = `${type}|${includeBoot}|${onRequests}`;
  let sites = byKey.get(key);
  if (!sites) {
    const kinds = FAULT_TYPES.find((f) => f.id === type)!.sites;
    sites = Object.freeze([...(includeBoot ? profile.allSites : profile.sites)]
      .filter(([, c]) => kinds.includes(c.kind) && (type !== 'bad-param' || c.args > 0) && (!onRequests || c.withRequest > 0)).map(([s]) => s).sort());
    byKey.set(key, sites);
  }
  return sites;
}

export function resolveFault(req: FaultRequest, profile: Profile, rng: Rng, transientShare: number, armWindowShare: number): FaultSpec {
  const triggered = req.trigger !== undefined;
  if (triggered && (!Number.isInteger(req.trigger) || req.trigger! < 2)) throw new SpecError(`trigger must be an integer of at least 2 (the fault fires on 1 in N requests), got '${req.trigger}'`);
  if (triggered && req.persistence === 'transient') throw new SpecError('a request-triggered fault fires whenever its request comes (deterministic or image), not on an environmental condition; drop --persistence transient or --trigger');
  const type = pickType(req, profile, rng);
  const sites = eligibleSites(type, profile, req.site !== undefined, triggered);
  let site: string;
  if (req.site !== undefined) {
    if (!sites.includes(req.site)) {
      throw new SpecError(`site '${req.site}' is not a ${type} site this workload executes${triggered ? ' while handling a request' : ''}; valid: ${sites.join(', ') || '(none)'}`);
    }
    site = req.site;
  } else {
    if (sites.length === 0) throw new SpecError(`no site for ${type} runs in this workload${triggered ? ' while handling a request (network transmits, sound writes and block requests carry request tags)' : ''}`);
    site = rng.pick(sites);
  }
  const persistence = req.persistence ?? (triggered ? 'deterministic' : rng.chance(transientShare) ? 'transient' : 'deterministic');
  if (!PERSISTENCES.includes(persistence)) throw new SpecError(`unknown persistence '${persistence}'; valid: ${PERSISTENCES.join(', ')}`);
  const armAtUs = req.armAtUs ?? rng.range(profile.startUs, profile.startUs + Math.floor((profile.endUs - profile.startUs) * armWindowShare));
  const args = Math.max(1, profile.allSites.get(site)!.args);
  const bit = req.bit ?? rng.int(args) * 32 + rng.int(32);
  if (!Number.isInteger(bit) || bit < 0 || bit >= args * 32) throw new SpecError(`bit must be an integer in [0, ${args * 32 - 1}] at ${site} (${args > 1 ? `${args} arguments of 32 bits: argument*32+bit` : 'a 32-bit value'}), got '${bit}'`);
  if (!Number.isInteger(armAtUs) || armAtUs < 0) throw new SpecError(`armAtUs must be a non-negative integer, got '${armAtUs}'`);
  return triggered ? { type, site, persistence, armAtUs, bit, trigger: req.trigger } : { type, site, persistence, armAtUs, bit };
}

function pickType(req: FaultRequest, profile: Profile, rng: Rng): FaultTypeId {
  if (req.type !== undefined && req.type !== 'random') {
    if (!FAULT_IDS.includes(req.type)) throw new SpecError(`unknown fault type '${req.type}'; valid: ${FAULT_IDS.join(', ')}, random, none`);
    return req.type;
  }
  const onRequests = req.trigger !== undefined;
  const usable = FAULT_IDS.filter((t) => req.site === undefined ? eligibleSites(t, profile, false, onRequests).length > 0 : eligibleSites(t, profile, true, onRequests).includes(req.site!));
  if (usable.length === 0) throw new SpecError(`no fault type fits site '${req.site}'`);
  return rng.pick(usable);
}
