// The fault-free profile of a workload (driver x app x parameters): which sites it executes and
// when its activity ends. Like the paper's injector, it is taken once per workload (seed 0,
// native) and reused, so it is memoised; it is a pure function of its key.
import type { SiteCoverage } from '../sim/exec.js';
import type { Profile } from '../faults/select.js';
import type { ResolvedSpec } from './spec.js';

export type Simulate = (spec: ResolvedSpec, coverageAtUs: number) => { endUs: number; before: Map<string, SiteCoverage>; after: Map<string, SiteCoverage> };

const cache = new Map<string, Profile>();

export function profileFor(spec: ResolvedSpec, simulate: Simulate): Profile {
  const key = `${spec.driver}|${spec.app}|${JSON.stringify(spec.params)}`;
  let p = cache.get(key);
  if (!p) {
    const base: ResolvedSpec = { ...spec, strategy: 'native', seed: 0, fault: null };
    const { endUs, before, after } = simulate(base, spec.params.appStartUs);
    const sites = new Map<string, SiteCoverage>();
    for (const [site, c] of after) {
      const ran = c.count - (before.get(site)?.count ?? 0);
      if (ran > 0) sites.set(site, { ...c, count: ran, withRequest: c.withRequest - (before.get(site)?.withRequest ?? 0) });
    }
    p = { sites, allSites: after, startUs: spec.params.appStartUs, endUs };
    cache.set(key, p);
  }
  return p;
}
