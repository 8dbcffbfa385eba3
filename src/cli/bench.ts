// Speed of the simulator and of sweeps, measured (never asserted in tests):
//  1. per app, fault-free: simulated events per trial, CPU ms per trial, events per CPU second;
//  2. a default fault-injection mix: trials/s in-process and on 1 and 2 worker threads, parallel
//     efficiency, pool overhead against the in-process loop, median CPU ms per trial;
//  3. peak RSS of a real sweep process at two sizes (10x apart).
import type { Argv } from 'yargs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTrial } from '../trial/run.js';
import { APPS, DRIVERS } from '../registry.js';
import { loadExperiment, planTrials } from '../sweep/experiment.js';
import { runPlanned } from '../sweep/run-one.js';
import { REPO_ROOT } from '../paths.js';
import { intArg } from './args.js';

function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function perApp(trials: number): void {
  console.log('1. fault-free trials (native), per app');
  console.log('app                  trials   events/trial   CPU ms/trial (median)   events/s (CPU)');
  for (const app of APPS) {
    const driver = DRIVERS.find((d) => d.cls === app.driverClass)!.id;
    for (let s = 0; s < 5; s++) runTrial({ driver, app: app.id, strategy: 'native', seed: 1000 + s });
    const times: number[] = [];
    let events = 0;
    for (let s = 0; s < trials; s++) {
      const t0 = cpuMs();
      events += runTrial({ driver, app: app.id, strategy: 'native', seed: s, fault: null }).events;
      times.push(cpuMs() - t0);
    }
    const total = times.reduce((x, y) => x + y, 0);
    console.log(`${app.id.padEnd(20)} ${String(trials).padStart(6)} ${String(Math.round(events / trials)).padStart(14)} ${median(times).toFixed(2).padStart(23)} ${Math.round(events / (total / 1000)).toString().padStart(16)}`);
  }
}

/** Run a real sweep in a fresh process; wall seconds and peak RSS (all threads). */
interface Run { seconds: number; rssMb: number; trials: number }

function sweepProcess(perCell: number, workers: number): Run {
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-bench-'));
  try {
    const bin = fileURLToPath(new URL('bin/shadowbench.js', REPO_ROOT));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--single-threaded', bin, 'sweep', 'fault-injection', '--trials', String(perCell), '--workers', String(workers), '--out', join(dir, 'r')],
      { encoding: 'utf8', env: { ...process.env, SHADOWBENCH_REPORT_RSS: '1' } });
    const seconds = (performance.now() - t0) / 1000;
    const m = /maxRssKb=(\d+)/.exec(r.stdout);
    if (!m) throw new Error(`sweep did not report its RSS: ${r.stderr.slice(-400)}`);
    return { seconds, rssMb: Number(m[1]) / 1024, trials: planTrials(loadExperiment('fault-injection'), perCell).length };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

function medianCpu(perCell: number): { median: number; p90: number } {
  const trials = planTrials(loadExperiment('fault-injection'), perCell);
  for (const t of trials.slice(0, 40)) runPlanned(t); // warm up the JIT and the profile cache
  const cpu = trials.map((t) => { const c = cpuMs(); runPlanned(t); return cpuMs() - c; }).sort((a, b) => a - b);
  return { median: median(cpu), p90: cpu[Math.floor(cpu.length * 0.9)] };
}

function pool(perCell: number, rss: boolean, repeat: number): void {
  const cpu = medianCpu(perCell);
  // One 10-20 s sweep per configuration is noisy on a small machine: run the three
  // configurations interleaved `repeat` times and report medians with their range.
  const runs = { inProcess: [] as Run[], one: [] as Run[], two: [] as Run[] };
  for (let i = 0; i < repeat; i++) {
    runs.inProcess.push(sweepProcess(perCell, 0)); runs.one.push(sweepProcess(perCell, 1)); runs.two.push(sweepProcess(perCell, 2));
  }
  const rate = (r: Run) => r.trials / r.seconds;
  const mid = (rs: Run[]) => median(rs.map((r) => r.seconds));
  const range = (xs: number[], digits: number, unit = '') => (xs.length > 1 ? ` (range ${Math.min(...xs).toFixed(digits)}${unit} to ${Math.max(...xs).toFixed(digits)}${unit})` : '');
  const trials = runs.one[0].trials;
  const line = (label: string, rs: Run[]) => `   ${label.padEnd(23)}${(trials / mid(rs)).toFixed(1).padStart(8)} trials/s  ${mid(rs).toFixed(1)} s`;
  const overheads = runs.one.map((r, i) => 100 * (r.seconds - runs.inProcess[i].seconds) / runs.inProcess[i].seconds);
  const efficiencies = runs.two.map((r, i) => rate(r) / rate(runs.one[i]) / 2);
  console.log(`\n2. fault-injection sweep: ${trials} trials (every driver x app, native/restart/shadow, transient+deterministic), each run a fresh process, ${repeat} rounds (medians)`);
  console.log(`   median CPU per trial   ${cpu.median.toFixed(2)} ms (p90 ${cpu.p90.toFixed(2)} ms), in-process, warm`);
  console.log(line('in-process (0 workers)', runs.inProcess));
  console.log(`${line('pool, 1 worker', runs.one)}   pool overhead ${median(overheads).toFixed(1)}%${range(overheads, 1, '%')}`);
  console.log(`${line('pool, 2 workers', runs.two)}   parallel efficiency ${median(efficiencies).toFixed(2)}${range(efficiencies, 2)}`);
  if (rss) {
    // Peak RSS varies by some 5% between identical runs: the 1x figure is the median of the
    // 2-worker rounds above, each listed; the 10x sweep runs once (it is ten times as long).
    const small = runs.two.map((r) => r.rssMb);
    const base = median(small);
    const large = sweepProcess(perCell * 10, 2);
    console.log(`\n3. peak RSS of a sweep process (2 workers): ${trials} trials ${base.toFixed(0)} MB (median of ${small.map((x) => x.toFixed(0)).join(', ')}); ${large.trials} trials ${large.rssMb.toFixed(0)} MB (${(100 * (large.rssMb / base - 1)).toFixed(1)}% more)`);
  }
}

export function benchCommand(y: Argv): Argv {
  return y.command('bench', 'measure simulator and sweep speed: events/s, CPU per trial, pool efficiency and overhead, peak RSS',
    (a) => a
      .option('trials', { type: 'number', default: 20, coerce: intArg('trials', 1, 100_000), describe: 'fault-free trials per app (section 1)' })
      .option('cells', { type: 'number', default: 30, coerce: intArg('cells', 1, 100_000), describe: 'trials per cell of the fault-injection mix (section 2); RSS runs use this and 10x' })
      .option('skip-rss', { type: 'boolean', default: false, describe: 'skip section 3 (two child sweeps)' })
      .option('repeat', { type: 'number', default: 3, coerce: intArg('repeat', 1, 100), describe: 'rounds of the section 2 sweeps (medians are reported)' }),
    async (argv) => {
      perApp(argv.trials);
      pool(argv.cells, !argv['skip-rss'], argv.repeat);
      console.log(`\nmachine: ${process.version}, ${(await import('node:os')).cpus().length} cpus`);
    });
}
