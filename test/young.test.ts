// A trial's closures are made in the young generation (sim/young.ts): V8 puts a function literal
// assigned straight to a property in the old generation, where a per-trial closure kept its whole
// trial alive through scavenges until a full GC. Checked in a child process with V8's own test
// intrinsic (%InYoungGeneration), a young generation large enough that nothing is promoted while
// one trial runs, and a full GC before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = new URL('../src/trial/run.js', import.meta.url).href;
const young = new URL('../src/sim/young.js', import.meta.url).href;

function child(script: string): string {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('V8 makes a literal assigned to a property old, and young() keeps it young', () => {
  const out = child(`
    import { young } from '${young}';
    const make = (x) => { const o = {}; o.direct = () => x; o.wrapped = young(() => x); return o; };
    gc(); const o = make(1);
    console.log(JSON.stringify([%InYoungGeneration(o.direct), %InYoungGeneration(o.wrapped)]));`);
  // If V8 stops pretenuring such literals the first value turns true: the helper is then moot.
  assert.deepEqual(JSON.parse(out), [false, true]);
});

test('the closures a trial assigns to properties are young, for every class and strategy', () => {
  const out = child(`
    import { runTrial } from '${run}';
    const cases = [];
    for (const [driver, app] of [['e1000', 'file-transfer'], ['audigy', 'audio-recorder'], ['ide-disk', 'database']])
      for (const strategy of ['native', 'restart', 'shadow', 'replication', 'checkpoint']) cases.push({ driver, app, strategy, seed: 1 });
    const old = [];
    for (const spec of cases) {
      runTrial(spec); // compile first: what is checked is the steady state
      gc();
      let w;
      runTrial(spec, { nemesis: (x) => { w = x; } });
      const fns = [['k.onDriverFailure', w.k.onDriverFailure], ['core.driver.ctx.peekWord', w.core.driver?.ctx.peekWord], ['card.microphone', w.card?.microphone],
        ...Object.entries(w.core.ops ?? {}).map(([n, f]) => ['core.ops.' + n, f])];
      for (const [name, f] of fns) if (typeof f === 'function' && !%InYoungGeneration(f)) old.push(spec.driver + '/' + spec.strategy + ': ' + name);
    }
    console.log(JSON.stringify({ checked: cases.length, old }));`);
  const r = JSON.parse(out) as { checked: number; old: string[] };
  assert.equal(r.checked, 15);
  assert.deepEqual(r.old, []);
});
