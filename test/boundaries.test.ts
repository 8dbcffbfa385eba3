// The system under test never knows about faults or strategies: they plug in from outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => { const p = join(dir, f); return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []; });
}

test('kernel, drivers, devices, apps, net and sim import neither faults nor recovery, nor name a strategy', () => {
  const offenders: string[] = [];
  for (const folder of ['kernel', 'drivers', 'devices', 'apps', 'net', 'sim']) {
    for (const f of files(join(src, folder))) {
      const text = readFileSync(f, 'utf8');
      if (/from '\.\.\/(\.\.\/)?(faults|recovery)\//.test(text)) offenders.push(`${f}: imports faults/recovery`);
      if (/'(native|restart|shadow|replication|checkpoint)'/.test(text)) offenders.push(`${f}: names a strategy`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no wall clock or unseeded randomness in simulation code', () => {
  const offenders = files(src)
    .filter((f) => !/[/\\](cli|sweep|analysis)[/\\]/.test(f))
    .filter((f) => /Math\.random|Date\.now|performance\.now|new Date\(|setTimeout|setInterval/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
