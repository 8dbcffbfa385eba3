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
  assert.match(d.stderr, /Argument: driver, Given: "nope", Choices: "e1000", "pcnet32", "audigy"/);
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
  assert.deepEqual(Object.keys(l), ['drivers', 'apps', 'strategies', 'classes', 'faults', 'experiments']);
  assert.ok(l.drivers.some((d: { id: string }) => d.id === 'e1000'));
});

test('approaches prints every strategy side by side, availability beside the closed form, and poison requests', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-approaches-'));
  try {
    const bad = run('approaches', '--trials', '1', '--out', dir, '--mttf', '600,soon');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--mttf: 'soon' is not valid/);
    const r = run('approaches', '--trials', '2', '--workers', '1', '--out', dir, '--mttf', '3600', '--shares', '0.5');
    assert.equal(r.status, 0, r.stderr);
    for (const s of ['native', 'restart', 'shadow', 'shadow-skip', 'replication', 'checkpoint']) assert.match(r.stdout, new RegExp(`\\| ${s} `));
    assert.match(r.stdout, /\*\*transient faults\*\*/);
    assert.match(r.stdout, /\*\*deterministic faults\*\*/);
    assert.match(r.stdout, /MTTF 1 h:/);
    assert.match(r.stdout, /\| 50% \| [\d.]+% \/ [\d.]+% \|/);
    assert.match(r.stdout, /## Poison requests/);
    assert.match(r.stdout, /Retained state over a fault-free/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
