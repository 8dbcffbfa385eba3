// Hand-written failure scenarios: each misbehaviour is detected under isolation and brings the
// system down without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel, DriverInstance } from '../src/kernel/kernel.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { SystemCrash } from '../src/sim/faults.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { KERNEL_DATA_BASE } from '../src/kernel/layout.js';

type Misbehaviour = (k: Kernel, inst: DriverInstance) => void;

const scenarios: Record<string, { expect: string; run: Misbehaviour }> = {
  'wild write into kernel memory': { expect: 'protection', run: (_k, i) => i.ctx.st('scenario.wild_write', KERNEL_DATA_BASE + 0x40, 0xdead) },
  'NULL pointer load': { expect: 'null-deref', run: (_k, i) => { i.ctx.ld('scenario.null_load', 0x8); } },
  'endless loop': { expect: 'hang', run: (_k, i) => { for (let n = 0; ; n++) if (!i.ctx.br('scenario.loop', n >= 0)) break; } },
  'bad parameter to a kernel service': { expect: 'bad-param', run: (k, i) => i.ctx.call('scenario.kfree', [0x1234], (p) => k.kfree(i, p)) },
};

function boot(isolation: boolean) {
  const k = new Kernel(DEFAULT_PARAMS, new RngStreams(1), new Trace(false), isolation);
  const inst = k.createInstance('canary', 0);
  const told: string[] = [];
  k.onDriverFailure = (f) => told.push(f.kind);
  return { k, inst, told };
}

for (const [name, s] of Object.entries(scenarios)) {
  test(`isolated: ${name} is detected as ${s.expect}, the kernel survives, recovery is told`, () => {
    const { k, inst, told } = boot(true);
    const r = k.invoke(inst, 'entry', () => { s.run(k, inst); return 0; }, -5);
    assert.equal(r, -5);
    assert.equal(inst.failed, true);
    assert.equal(k.failures[0]?.kind, s.expect);
    k.sched.run(10);
    assert.deepEqual(told, [s.expect]);
    k.sched.run(1_000_000);
    assert.equal(k.crashReason, null);
  });

  test(`native: ${name} crashes the system`, () => {
    const { k, inst } = boot(false);
    // A wild write goes through silently; the kernel's own check finds it at the next tick.
    try {
      k.invoke(inst, 'entry', () => { s.run(k, inst); return 0; }, -5);
      k.sched.run(1_000_000);
    } catch (e) { if (!(e instanceof SystemCrash)) throw e; }
    assert.notEqual(k.crashReason, null, 'the system went down');
  });
}
