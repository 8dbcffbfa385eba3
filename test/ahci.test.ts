// The second block driver: an AHCI-like controller with NCQ (32-slot command list, FIS, issue
// and completion bitmaps), under the same block shadow and every strategy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/trial/run.js';
import { buildWorld } from '../src/world/build-world.js';
import type { BlockWorld } from '../src/world/block-world.js';
import { RngStreams } from '../src/sim/rng.js';
import { Trace } from '../src/sim/trace.js';
import { DEFAULT_PARAMS } from '../src/params.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';
import { DIR_READ, DIR_WRITE } from '../src/kernel/blockcore.js';
import type { AhciDisk } from '../src/devices/ahci.js';
import type { FaultRequest } from '../src/faults/select.js';

const BLOCK_APPS = ['compiler', 'encoder', 'database'];

function world(slots: number): BlockWorld {
  const params = { ...DEFAULT_PARAMS, ahciSlots: slots };
  const w = buildWorld(params, new RngStreams(1), new Trace(false), true, DRIVERS.find((d) => d.id === 'ahci')!) as BlockWorld;
  STRATEGIES.find((s) => s.id === 'native')!.create().attach(w);
  assert.equal(w.core.bringUp(), 0);
  return w;
}

test('AHCI NCQ: many requests in the drive at once, served nearest-first (out of order), overlapping writes kept in order', () => {
  const w = world(32);
  const ended: number[] = [];
  const sectors = [9000, 100, 5000, 200, 7000, 300, 6000, 400];
  sectors.forEach((s) => w.blk.submit(DIR_READ, s, 1, null, (st) => { assert.equal(st, 0); ended.push(s); }));
  const a = new Uint8Array(512).fill(0xaa), b = new Uint8Array(512).fill(0xbb);
  w.blk.submit(DIR_WRITE, 123, 1, a, () => ended.push(-1));
  w.blk.submit(DIR_WRITE, 123, 1, b, () => ended.push(-2));
  w.k.sched.run(w.k.now + 1_000_000);
  const disk = w.disk as AhciDisk;
  assert.ok(disk.maxQueued >= 8, `in flight at once: ${disk.maxQueued}`);
  assert.equal(ended.length, 10);
  assert.notDeepEqual(ended.filter((s) => s >= 0), sectors, 'NCQ reordered the reads');
  assert.ok(ended.indexOf(-1) < ended.indexOf(-2), 'overlapping writes end in issue order');
  assert.deepEqual(disk.medium.sector(123), b, 'the later write is what the disk holds');
  // One slot: one command at a time, in order (as IDE).
  const one = world(1), order: number[] = [];
  sectors.forEach((s) => one.blk.submit(DIR_READ, s, 1, null, () => order.push(s)));
  one.k.sched.run(one.k.now + 1_000_000);
  assert.equal((one.disk as AhciDisk).maxQueued, 1);
  assert.deepEqual(order, sectors);
});

test('ahci: compiler, encoder and database are correct fault-free under every strategy', () => {
  for (const app of BLOCK_APPS) for (const s of STRATEGIES) {
    const r = runTrial({ driver: 'ahci', app, strategy: s.id, seed: 2, fault: null });
    assert.equal(r.outcome, 'correct', `${app}/${s.id}: ${r.reason}`);
  }
});

test('ahci: a request id corrupted in the interrupt handler is detected; every isolating strategy recovers, native crashes', () => {
  const f: FaultRequest = { type: 'bad-param', site: 'ahci.isr.end_request', persistence: 'transient', armAtUs: 1427854, bit: 1 };
  for (const s of ['shadow', 'shadow-skip', 'replication', 'checkpoint']) {
    const r = runTrial({ driver: 'ahci', app: 'database', strategy: s, seed: 6, fault: f });
    assert.equal(r.detected?.kind, 'bad-param', s);
    assert.ok(r.recoveries.succeeded >= 1, s);
    assert.equal(r.outcome, 'correct', `${s}: ${r.reason}`);
  }
  assert.equal(runTrial({ driver: 'ahci', app: 'database', strategy: 'native', seed: 6, fault: f }).outcome, 'system-crash');
  const rs = runTrial({ driver: 'ahci', app: 'database', strategy: 'restart', seed: 6, fault: f });
  assert.equal(rs.recoveries.attempted, 1, 'restart started a reload');
  assert.equal(rs.outcome, 'app-failed', 'but the requests in flight failed: the app gave up before the reload was done');
});
