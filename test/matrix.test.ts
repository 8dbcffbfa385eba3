// The whole comparison matrix: two drivers in every class, all six strategies in every class,
// one shadow per class that knows no driver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { listing } from '../src/cli/list.js';
import { loadExperiment } from '../src/sweep/experiment.js';
import { DRIVERS, STRATEGIES } from '../src/registry.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The modules a TypeScript file imports (static and dynamic), resolved to absolute paths. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

const fromDrivers = (file: string, text: string) => importsOf(file, text).filter((p) => p.startsWith(resolve(SRC, 'drivers') + '/'));

test('the shadows know no driver: nothing in src/recovery/shadow/ imports from src/drivers/', () => {
  const dir = resolve(SRC, 'recovery/shadow');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 5, 'the class shadows are there');
  for (const f of files) {
    const path = resolve(dir, f);
    assert.deepEqual(fromDrivers(path, readFileSync(path, 'utf8')), [], `${f} imports a driver`);
  }
  // The check sees a driver import when there is one.
  const fake = resolve(dir, 'fake.ts');
  assert.equal(fromDrivers(fake, "import { sb16 } from '../../drivers/sound/sb16.js';").length, 1);
  assert.equal(fromDrivers(fake, "import type { X } from '../../kernel/soundcore.js';").length, 0);
});

test('the two drivers of a class share no code: sb16 imports nothing of audigy, ahci nothing of ide-disk', () => {
  for (const [a, b] of [['sound/sb16.ts', 'audigy'], ['block/ahci.ts', 'ide-disk'], ['sound/audigy.ts', 'sb16'], ['block/ide-disk.ts', 'ahci']]) {
    const path = resolve(SRC, 'drivers', a);
    const imports = importsOf(path, readFileSync(path, 'utf8'));
    assert.ok(!imports.some((p) => p.includes(b)), `${a} imports ${b}`);
  }
});

test('list: two drivers and all six strategies in every class', () => {
  const l = listing();
  for (const c of l.classes) {
    assert.ok(c.drivers.length >= 2, `${c.id} has ${c.drivers.join(', ')}`);
    assert.deepEqual(c.strategies, STRATEGIES.map((s) => s.id), `${c.id}: ${c.strategies.join(', ')}`);
  }
  assert.ok(l.drivers.some((d) => d.id === 'sb16') && l.drivers.some((d) => d.id === 'ahci'));
});

test("every experiment with workloads 'all' includes the new drivers; approaches has sound and block rows for every strategy", () => {
  const all = loadExperiment('fault-injection');
  for (const d of DRIVERS) assert.ok(all.workloads.some((w) => w.driver === d.id), `fault-injection lacks ${d.id}`);
  const a = loadExperiment('approaches');
  for (const d of ['audigy', 'sb16', 'ide-disk', 'ahci']) assert.ok(a.workloads.some((w) => w.driver === d), `approaches lacks ${d}`);
  assert.ok(['replication', 'checkpoint'].every((s) => a.strategies.includes(s)));
});
