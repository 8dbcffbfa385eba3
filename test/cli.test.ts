import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('trial --json prints a record with the documented fields, identical twice', () => {
  const args = ['trial', '--driver', 'e1000', '--app', 'remote-window', '--strategy', 'native', '--seed', '3', '--json', '--fault', 'none'];
  const a = run(...args), b = run(...args);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const r = JSON.parse(a.stdout);
  for (const f of ['outcome', 'detected', 'recoveries', 'recoveryUs', 'downtimeUs', 'log', 'events', 'traceHash', 'spec']) assert.ok(f in r, f);
  assert.equal(r.outcome, 'correct');
  assert.ok('peakEntries' in r.log && 'peakBytes' in r.log);
});

test('--trace prints the events that decided the outcome', () => {
  const r = run('trial', '--driver', 'e1000', '--app', 'file-transfer', '--strategy', 'native', '--seed', '1', '--trace', '--fault', 'none');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /trace:/);
  assert.match(r.stdout, /all bytes acknowledged/);
});

test('bad input: a clear message naming the valid values and exit code 2', () => {
  const d = run('trial', '--driver', 'nope', '--app', 'file-transfer', '--strategy', 'native', '--seed', '1');
  assert.equal(d.status, 2);
  assert.match(d.stderr, /unknown driver 'nope'; valid: e1000, pcnet32, audigy/);
  const s = run('trial', '--driver', 'e1000', '--app', 'file-transfer', '--strategy', 'native', '--seed', 'x1');
  assert.equal(s.status, 2);
  assert.match(s.stderr, /--seed must be a non-negative integer, got 'x1'/);
  const u = run('frobnicate');
  assert.equal(u.status, 2);
});

test('list --json has the documented sections', () => {
  const r = run('list', '--json');
  assert.equal(r.status, 0);
  const l = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(l), ['drivers', 'apps', 'strategies', 'faults', 'experiments']);
  assert.ok(l.drivers.some((d: { id: string }) => d.id === 'e1000'));
});
