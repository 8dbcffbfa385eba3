// Records reused from runs of identical trials (reproduce): the same bytes as running them, and
// only from a finished run of the same code and parameters, never a harness error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweep } from '../src/cli/sweep.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'shadowbench-reuse-'));
const records = (dir: string) => readFileSync(join(dir, 'records.jsonl'), 'utf8');
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const run = (experiment: string, out: string, reuse?: string[]) =>
  sweep({ experiment, scale: 'default', trials: 2, workers: 0, batch: 8, out, resume: false, quiet: true, reuse });

test('a sweep that reuses identical trials of another run writes the bytes it would have run', async () => {
  const base = tmp();
  const donor = await run('recovery-time', join(base, 'donor'));
  const plain = await run('fault-injection', join(base, 'plain'));
  const reused = await run('fault-injection', join(base, 'reused'), [donor]);
  assert.equal(records(reused), records(plain));
  // recovery-time's transient restart/shadow trials of six workloads are fault-injection trials too.
  assert.deepEqual(manifest(reused).reused, [{ dir: donor, records: 24 }]);
  assert.equal(manifest(plain).reused, undefined);
});

test('no reuse from a run of other code or parameters, and never of a harness error', async () => {
  const base = tmp();
  const donor = await run('recovery-time', join(base, 'donor'));
  const m = manifest(donor);
  // Another code tree: nothing is taken from it.
  writeFileSync(join(donor, 'manifest.json'), JSON.stringify({ ...m, identity: { ...m.identity, code: { ...m.identity.code, tree: 'other' } } }));
  assert.equal(manifest(await run('fault-injection', join(base, 'a'), [donor])).reused, undefined);
  // Other parameter values: nothing either.
  writeFileSync(join(donor, 'manifest.json'), JSON.stringify({ ...m, identity: { ...m.identity, params: { ...m.identity.params, moduleLoadUs: 1 } } }));
  assert.equal(manifest(await run('fault-injection', join(base, 'b'), [donor])).reused, undefined);
  // The same maker, but one record is a harness error: that trial runs again, the others are copied.
  writeFileSync(join(donor, 'manifest.json'), JSON.stringify(m));
  const lines = records(donor).split('\n').filter(Boolean);
  lines[0] = lines[0].replace(/"outcome":"[a-z-]+"/, '"outcome":"harness-error"');
  writeFileSync(join(donor, 'records.jsonl'), `${lines.join('\n')}\n`);
  const c = await run('fault-injection', join(base, 'c'), [donor]);
  assert.deepEqual(manifest(c).reused, [{ dir: donor, records: 23 }]);
  assert.ok(!records(c).includes('harness-error'));
});

test('shards that start at once create the same parent directories without failing (EEXIST)', async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const results = fileURLToPath(new URL('../src/sweep/results.js', import.meta.url));
  const base = tmp();
  const startAt = Date.now() + 1500; // every racer waits for the same moment, then creates 100 fresh chains
  const racers = Array.from({ length: 12 }, (_, i) => new Promise<number>((done) => {
    const code = `import(${JSON.stringify(results)}).then((r) => { while (Date.now() < ${startAt}); for (let k = 0; k < 100; k++) r.ensureWritable(${JSON.stringify(base)} + '/k' + k + '/a/b/c/shard-${i}'); })`;
    spawn(process.execPath, ['-e', code], { stdio: 'ignore' }).on('exit', (c) => done(c ?? 1));
  }));
  assert.deepEqual(await Promise.all(racers), new Array(12).fill(0));
});
