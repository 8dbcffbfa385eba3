import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../src/sim/scheduler.js';
import { RngStreams } from '../src/sim/rng.js';
import { AddressSpace, Domain } from '../src/sim/memory.js';
import { MachineFault } from '../src/sim/faults.js';
import { ExecContext, SiteExec } from '../src/sim/exec.js';

test('simultaneous events run by priority, then in the order they were scheduled', () => {
  const s = new Scheduler();
  const order: string[] = [];
  s.schedule(10, 'a', () => order.push('a'), 1);
  s.schedule(10, 'b', () => order.push('b'), 0);
  s.schedule(10, 'c', () => order.push('c'), 1);
  s.schedule(5, 'd', () => order.push('d'), 9);
  s.run(100);
  assert.deepEqual(order, ['d', 'b', 'a', 'c']);
});

test('a cancelled event does not run and time stops at the horizon', () => {
  const s = new Scheduler();
  let ran = false;
  s.schedule(10, 'x', () => { ran = true; }).cancel();
  s.schedule(200, 'late', () => { ran = true; });
  s.run(100);
  assert.equal(ran, false);
});

test('named streams are independent: drawing from one never shifts another', () => {
  const a = new RngStreams(42), b = new RngStreams(42);
  for (let i = 0; i < 100; i++) a.get('fault').next();
  assert.deepEqual([1, 2, 3].map(() => a.get('workload').next()), [1, 2, 3].map(() => b.get('workload').next()));
  assert.notEqual(new RngStreams(43).get('workload').next(), new RngStreams(42).get('workload').next());
});

function machine(isolation: boolean) {
  const m = new AddressSpace();
  m.isolation = isolation;
  const kernel = m.map('kernel', 'kernel', 0x10000, 0x10000);
  const drv = m.map('drv', 'driver', 0x100000, 0x10000);
  const domain: Domain = { name: 'drv', writable: [drv] };
  return { m, kernel, drv, domain };
}

function faultOf(fn: () => void): string {
  try { fn(); } catch (e) { if (e instanceof MachineFault) return e.kind; throw e; }
  return 'none';
}

test('the MMU faults on the NULL page and on unmapped space', () => {
  const { m, domain } = machine(true);
  assert.equal(faultOf(() => m.read32(0x10, domain)), 'null-deref');
  assert.equal(faultOf(() => m.read32(0x50000, domain)), 'unmapped');
  assert.equal(faultOf(() => m.read32(0x100000, domain)), 'none');
});

test('under isolation a write outside the domain is a protection fault; without it the write lands', () => {
  const iso = machine(true);
  assert.equal(faultOf(() => iso.m.write32(0x10010, 7, iso.domain)), 'protection');
  assert.equal(iso.m.read32(0x10010), 0);
  const nat = machine(false);
  assert.equal(faultOf(() => nat.m.write32(0x10010, 7, nat.domain)), 'none');
  assert.equal(nat.m.read32(0x10010), 7);
  assert.ok(nat.m.kernelPagesWritten.has(0x10), 'the wild write is visible to the kernel checks');
});

test('an interceptor sees a site execute and can change its value', () => {
  const { m, drv, domain } = machine(true);
  const seen: string[] = [];
  const interceptor = { onSite(e: SiteExec) { seen.push(`${e.kind}:${e.site}`); if (e.site === 'test.load') e.value ^= 0x80; } };
  const ctx = new ExecContext(m, domain, interceptor, 1, new Map());
  ctx.enter(1000);
  m.write32(drv.base, 5);
  assert.equal(ctx.ld('test.load', drv.base), 5 ^ 0x80);
  assert.equal(ctx.br('test.branch', true), true);
  assert.deepEqual(seen, ['load:test.load', 'branch:test.branch']);
  assert.equal(ctx.coverage.get('test.load')?.count, 1);
});

test('running out of the instruction budget is a hang', () => {
  const { m, domain } = machine(true);
  const ctx = new ExecContext(m, domain, null, 1, new Map());
  ctx.enter(50);
  assert.equal(faultOf(() => { for (;;) ctx.br('test.spin', true); }), 'hang');
});
