// The SWIFI fault types (after the Nooks injector): each is one mutation at one fault site.
import type { SiteKind } from '../sim/exec.js';

export type FaultTypeId =
  | 'branch-invert' | 'branch-delete' | 'value-corrupt-src' | 'value-corrupt-dst' | 'pointer-corrupt'
  | 'store-delete' | 'loop-off-by-one' | 'alloc-fail' | 'bad-param' | 'irq-lost';

/** How long a planted mutation lives (DESIGN.md, "Persistence, by mechanism"):
 *  - `transient`: needs an environmental condition drawn per execution per instance; a reload removes it.
 *  - `deterministic`: a bug in the driver binary: every instance ever loaded has it (reloads, replicas).
 *  - `image`: the paper's (Nooks') injector: the loaded instance's code is changed, so it fires on
 *    every execution there, and any later load (restart, shadow recovery, checkpoint restore into a
 *    fresh instance, a replica's own load) gets a clean copy. */
export type Persistence = 'transient' | 'deterministic' | 'image';
export const PERSISTENCES: readonly Persistence[] = ['transient', 'deterministic', 'image'];

export interface FaultType {
  id: FaultTypeId;
  /** Kinds of site this mutation can be planted at. */
  sites: readonly SiteKind[];
  description: string;
}

export const FAULT_TYPES: readonly FaultType[] = [
  { id: 'branch-invert', sites: ['branch'], description: 'inverted test condition' },
  { id: 'branch-delete', sites: ['branch'], description: 'deleted conditional jump: the guarded block always runs' },
  { id: 'value-corrupt-src', sites: ['load', 'ptr'], description: 'bit flip in a loaded (source) value' },
  { id: 'value-corrupt-dst', sites: ['store'], description: 'bit flip in a store\'s destination address (a wild write)' },
  { id: 'pointer-corrupt', sites: ['ptr'], description: 'bit flip in a loaded pointer' },
  { id: 'store-delete', sites: ['store'], description: 'deleted store (an uninitialised or stale value)' },
  { id: 'loop-off-by-one', sites: ['bound'], description: 'loop bound one too large' },
  { id: 'alloc-fail', sites: ['alloc'], description: 'allocation returns NULL' },
  { id: 'bad-param', sites: ['call'], description: 'bit flip in one argument of a kernel call' },
  { id: 'irq-lost', sites: ['irq'], description: 'interrupt never reaches the handler' },
];

export const FAULT_IDS = FAULT_TYPES.map((f) => f.id);

/** A fault fully resolved: replaying it needs nothing else. */
export interface FaultSpec {
  type: FaultTypeId;
  site: string;
  persistence: Persistence;
  /** Virtual time at which the fault is planted. */
  armAtUs: number;
  /** Which bit a corruption flips (bit-flip types), or which argument (bad-param: arg * 32 + bit). */
  bit: number;
  /** A request-triggered (deterministic) fault fires only while the driver handles a request
   *  whose content falls in one of `trigger` classes (a poison request); absent: any execution. */
  trigger?: number;
}

/** Does a request-triggered fault fire for this request tag? One class in `trigger`, by content. */
export function triggeredBy(tag: number, trigger: number, bit: number): boolean {
  if (tag === 0) return false;
  let h = (tag ^ Math.imul(bit + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) % trigger === 0;
}
