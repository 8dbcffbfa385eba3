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
function sweepProcess(perCell: number, workers: number): { seconds: number; rssMb: number; trials: number } {
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

function pool(perCell: number, rss: boolean): void {
  const cpu = medianCpu(perCell);
  const inProcess = sweepProcess(perCell, 0), one = sweepProcess(perCell, 1), two = sweepProcess(perCell, 2);
  const rate = (r: { seconds: number; trials: number }) => r.trials / r.seconds;
  console.log(`\n2. fault-injection sweep: ${one.trials} trials (every driver x app, native/restart/shadow, transient+deterministic), each run a fresh process`);
  console.log(`   median CPU per trial   ${cpu.median.toFixed(2)} ms (p90 ${cpu.p90.toFixed(2)} ms), in-process, warm`);
  console.log(`   in-process (0 workers) ${rate(inProcess).toFixed(1).padStart(8)} trials/s  ${inProcess.seconds.toFixed(1)} s`);
  console.log(`   pool, 1 worker         ${rate(one).toFixed(1).padStart(8)} trials/s  ${one.seconds.toFixed(1)} s   pool overhead ${(100 * (one.seconds - inProcess.seconds) / inProcess.seconds).toFixed(1)}%`);
  console.log(`   pool, 2 workers        ${rate(two).toFixed(1).padStart(8)} trials/s  ${two.seconds.toFixed(1)} s   parallel efficiency ${(rate(two) / rate(one) / 2).toFixed(2)}`);
  if (rss) {
    const large = sweepProcess(perCell * 10, 2);
    console.log(`\n3. peak RSS of a sweep process (2 workers): ${two.trials} trials ${two.rssMb.toFixed(0)} MB; ${large.trials} trials ${large.rssMb.toFixed(0)} MB (${(100 * (large.rssMb / two.rssMb - 1)).toFixed(1)}% more)`);
  }
}

export function benchCommand(y: Argv): Argv {
  return y.command('bench', 'measure simulator and sweep speed: events/s, CPU per trial, pool efficiency and overhead, peak RSS',
    (a) => a
      .option('trials', { type: 'number', default: 20, describe: 'fault-free trials per app (section 1)' })
      .option('cells', { type: 'number', default: 30, describe: 'trials per cell of the fault-injection mix (section 2); RSS runs use this and 10x' })
      .option('skip-rss', { type: 'boolean', default: false, describe: 'skip section 3 (two child sweeps)' }),
    async (argv) => {
      perApp(argv.trials);
      pool(argv.cells, !argv['skip-rss']);
      console.log(`\nmachine: ${process.version}, ${(await import('node:os')).cpus().length} cpus`);
    });
}
