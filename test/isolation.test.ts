// Hand-written failure scenarios: each misbehaviour is detected under isolation and brings the
// system down without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel, DriverInstance, ProcessKilled } from '../src/kernel/kernel.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { SystemCrash } from '../src/sim/faults.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { KERNEL_DATA_BASE } from '../src/kernel/layout.js';

type Misbehaviour = (k: Kernel, inst: DriverInstance) => void;

const scenarios: Record<string, { expect: string; nativeProcess: string; run: Misbehaviour }> = {
  'wild write into kernel memory': { expect: 'protection', nativeProcess: 'unchecked, the kernel trips on the damage at its next check', run: (_k, i) => i.ctx.st('scenario.wild_write', KERNEL_DATA_BASE + 0x40, 0xdead) },
  'NULL pointer load': { expect: 'null-deref', nativeProcess: 'the process is killed, the system stays up', run: (_k, i) => { i.ctx.ld('scenario.null_load', 0x8); } },
  'endless loop': { expect: 'hang', nativeProcess: 'a kernel that does not preempt hangs', run: (_k, i) => { for (let n = 0; ; n++) if (!i.ctx.br('scenario.loop', n >= 0)) break; } },
  'bad parameter to a kernel service': { expect: 'bad-param', nativeProcess: 'kfree does not check: the slab damage is found at the next check', run: (k, i) => i.ctx.call('scenario.kfree', [0x1234], (p) => k.kfree(i, p)) },
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

  test(`native: ${name} in an interrupt handler takes the system down`, () => {
    const { k, inst } = boot(false);
    k.entryContexts = { irq: { context: 'hardirq' } };
    // A wild write goes through silently; the kernel's own check finds it at the next tick.
    try {
      k.invoke(inst, 'irq', () => { s.run(k, inst); return 0; }, -5);
      k.sched.run(1_000_000);
    } catch (e) { if (!(e instanceof SystemCrash)) throw e; }
    assert.notEqual(k.crashReason, null, 'the system went down');
    if (s.expect === 'null-deref') assert.match(k.crashReason!, /oops in hardirq context/);
  });

  test(`native: ${name} in a system call: ${s.nativeProcess}`, () => {
    const { k, inst } = boot(false);
    k.entryContexts = { syscall: { context: 'process' } };
    k.currentProcess = 'player';
    let killed: ProcessKilled | null = null;
    try {
      k.invoke(inst, 'syscall', () => { s.run(k, inst); return 0; }, -5);
      k.sched.run(1_000_000);
    } catch (e) {
      if (e instanceof ProcessKilled) killed = e;
      else if (!(e instanceof SystemCrash)) throw e;
    }
    if (s.nativeProcess === 'the process is killed, the system stays up') {
      assert.equal(killed?.process, 'player');
      assert.equal(k.crashReason, null);
      assert.equal(k.oopses.length, 1);
      assert.equal(inst.failed, false, 'the driver is left as it was, not unloaded');
      k.sched.run(2_000_000);
      assert.equal(k.crashReason, null, 'nothing else trips on it');
    } else {
      assert.equal(killed, null);
      assert.notEqual(k.crashReason, null, 'the system went down');
    }
  });
}
