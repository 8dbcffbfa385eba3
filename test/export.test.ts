// Flat export: one CSV row per record, readable by python3's csv module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toCsv, flatten } from '../src/analysis/export.js';
import { loadResults } from '../src/analysis/records.js';

// The committed reference run of table4 (whatever its size).
const table4Dir = fileURLToPath(new URL('../../notebooks/reference/table4/', import.meta.url));
const run = join(table4Dir, readdirSync(table4Dir).filter((d) => existsSync(join(table4Dir, d, 'manifest.json'))).sort()[0]);
const BIN = fileURLToPath(new URL('../../bin/shadowbench.js', import.meta.url));

test('export writes one row per record that python3 csv reads, with factors, outcome and flattened numbers', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'records.csv');
  const r = spawnSync(process.execPath, [BIN, 'export', run, '--format', 'csv', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const py = spawnSync('python3', ['-c', `import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
print(json.dumps({'n': len(rows), 'cols': list(rows[0].keys()), 'first': rows[0]}))`, out], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const got = JSON.parse(py.stdout) as { n: number; cols: string[]; first: Record<string, string> };
  const records = loadResults(run).records;
  assert.equal(got.n, records.length);
  for (const c of ['driver', 'app', 'strategy', 'seed', 'persistence', 'outcome', 'recoveries.succeeded', 'cpu.totalUs', 'log.peakBytes', 'spec.params.linkMbps']) assert.ok(got.cols.includes(c), c);
  assert.equal(got.first.key, records[0].key);
  assert.equal(got.first.outcome, records[0].outcome);
  assert.equal(Number(got.first['recoveries.succeeded']), records[0].recoveries.succeeded);
});

test('the CSV follows the records and quotes what needs quoting', () => {
  const rec = loadResults(run).records[0];
  const moved = { ...rec, outcome: 'system-crash' as const, reason: 'a, "quoted" reason' };
  const csv = toCsv([moved]);
  assert.match(csv, /,system-crash,/);
  assert.match(csv, /"a, ""quoted"" reason"/);
  assert.deepEqual(flatten({ a: { b: 1, c: [1, 2] }, d: null }), { 'a.b': 1, 'd': null });
  const bad = spawnSync(process.execPath, [BIN, 'export', '/nonexistent-run'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});
