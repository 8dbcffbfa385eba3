// Speed of the simulator and of sweeps, measured (never asserted in tests):
//  1. per app, fault-free: simulated events and driver site executions per trial, CPU ms per
//     trial, events and site executions per CPU second;
//  2. the fault-injection mix: median CPU ms per trial and the GC share of that CPU; fresh sweep
//     processes on 1 and 2 worker threads in interleaved rounds at the experiment's default
//     scale (the parallel efficiency quoted) and at a short size (with in-process runs: the pool's
//     overhead; and how a short sweep scales), then warm workers (medians with ranges);
//  3. peak RSS of a real sweep process at two sizes (10x apart);
//  4. every experiment at paper scale: CPU per trial on a sample spread over its plan, and the
//     projected time of its sweeps on 2 workers at the measured efficiency and overhead.
// Load average is printed at start and end: on a shared machine, wall-clock figures (trials/s,
// efficiency) are not the machine's; CPU figures hold up better.
import type { Argv } from 'yargs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTrial } from '../trial/run.js';
import { APPS, DRIVERS } from '../registry.js';
import { cpus, loadavg } from 'node:os';
import { loadExperiment, planTrials } from '../sweep/experiment.js';
import { runPlanned } from '../sweep/run-one.js';
import { REPO_ROOT } from '../paths.js';
import { cpuMs, median, withGc, spreadSample, trialsAtScale, project, compilationsIn, machineLoop, phasesIn, poolPass } from './bench-measure.js';
import { WorkerLanes } from '../sweep/pool.js';
import { intArg } from './args.js';

/** The fault-injection experiment's default scale: the sweep whose efficiency bench quotes. */
const DEFAULT_CELLS = loadExperiment('fault-injection').trialsPerCell.default;

/** Progress on stderr (stdout holds only the figures): section 2 runs for minutes before it prints. */
const note = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

function perApp(trials: number): void {
  note('section 1: fault-free trials per app');
  console.log('1. fault-free trials (native), per app; rates per CPU second');
  console.log('app                  trials   events/trial    sites/trial   CPU ms/trial (median)   events/s (CPU)   sites/s (CPU)');
  for (const app of APPS) {
    const driver = DRIVERS.find((d) => d.cls === app.driverClass)!.id;
    for (let s = 0; s < 5; s++) runTrial({ driver, app: app.id, strategy: 'native', seed: 1000 + s });
    const times: number[] = [];
    let events = 0, sites = 0;
    for (let s = 0; s < trials; s++) {
      const t0 = cpuMs();
      const r = runTrial({ driver, app: app.id, strategy: 'native', seed: s, fault: null });
      times.push(cpuMs() - t0);
      events += r.events; sites += r.instructions;
    }
    const total = times.reduce((x, y) => x + y, 0) / 1000;
    const perS = (n: number) => (n / total / 1e6).toFixed(2) + ' M';
    console.log(`${app.id.padEnd(20)} ${String(trials).padStart(6)} ${String(Math.round(events / trials)).padStart(14)} ${String(Math.round(sites / trials)).padStart(14)} ${median(times).toFixed(2).padStart(23)} ${perS(events).padStart(16)} ${perS(sites).padStart(15)}`);
  }
}

/** Run a real sweep in a fresh process; wall seconds, peak RSS (all threads), and V8's optimising
 *  compilations in all its threads (--trace-opt; a cold worker spends a good part of its first
 *  thousands of trials compiling, and each worker compiles for itself). */
interface Run { seconds: number; rssMb: number; trials: number; compilations: number; compileMs: number; startS: number; trialsS: number; endS: number }

function sweepProcess(perCell: number, workers: number): Run {
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-bench-'));
  try {
    const bin = fileURLToPath(new URL('bin/shadowbench.js', REPO_ROOT));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--single-threaded', '--trace-opt', bin, 'sweep', 'fault-injection', '--trials', String(perCell), '--workers', String(workers), '--out', join(dir, 'r')],
      { encoding: 'utf8', env: { ...process.env, SHADOWBENCH_REPORT_RSS: '1' }, maxBuffer: 256 * 1024 * 1024 });
    const seconds = (performance.now() - t0) / 1000;
    const m = /maxRssKb=(\d+)/.exec(r.stdout);
    if (!m) throw new Error(`sweep did not report its RSS: ${r.stderr.slice(-400)}`);
    return { seconds, rssMb: Number(m[1]) / 1024, trials: planTrials(loadExperiment('fault-injection'), perCell).length, ...compilationsIn(r.stdout), ...phasesIn(r.stdout, seconds) };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

async function medianCpu(perCell: number): Promise<{ median: number; p90: number; gcShare: number; trials: number }> {
  const trials = planTrials(loadExperiment('fault-injection'), perCell);
  for (const t of trials.slice(0, 40)) runPlanned(t); // warm up the JIT and the profile cache
  const m = await withGc(() => trials.map((t) => { const c = cpuMs(); runPlanned(t); return cpuMs() - c; }).sort((a, b) => a - b));
  const cpu = m.value;
  return { median: median(cpu), p90: cpu[Math.floor(cpu.length * 0.9)], gcShare: m.gcShare, trials: trials.length };
}

/** Parallel efficiency on warm workers, per round: 1 and 2 worker lanes each run the mix once with
 *  other seeds (the same workloads: the same code and fault-free profiles; which lane owns a driver
 *  class is settled there and kept), then the timed mix in interleaved rounds. */
async function warmWorkers(perCell: number, repeat: number): Promise<number[]> {
  const e = loadExperiment('fault-injection');
  const timed = planTrials(e, perCell), other = planTrials({ ...e, seedBase: e.seedBase + 1_000_000 }, perCell);
  const dir = mkdtempSync(join(tmpdir(), 'shadowbench-bench-'));
  const one = new WorkerLanes(1), two = new WorkerLanes(2);
  try {
    let n = 0;
    const pass = async (lanes: WorkerLanes, trials: typeof timed) => { const file = join(dir, `r${n++}.jsonl`); try { return await poolPass(lanes, trials, file); } finally { rmSync(file, { force: true }); } };
    await pass(one, other); await pass(two, other);
    const out: number[] = [];
    for (let i = 0; i < repeat; i++) { const t1 = await pass(one, timed), t2 = await pass(two, timed); out.push(t1 / t2 / 2); }
    return out;
  } finally { await Promise.all([one.destroy(), two.destroy()]); rmSync(dir, { recursive: true, force: true }); }
}

interface PoolFigures { efficiency: number; overhead: number; /** Which sweeps the two came from. */ sizes: string }

const range = (xs: number[], digits: number, unit = '') => (xs.length > 1 ? ` (range ${Math.min(...xs).toFixed(digits)}${unit} to ${Math.max(...xs).toFixed(digits)}${unit})` : '');
const mid = (rs: Run[]) => median(rs.map((r) => r.seconds));
const rate = (r: Run) => r.trials / r.seconds;
const jit = (rs: Run[]) => `${Math.round(median(rs.map((r) => r.compilations)))} (${(median(rs.map((r) => r.compileMs)) / 1000).toFixed(1)} s)`;

/**
 * Section 2. Two sizes of the fault-injection sweep, each a fresh process, in interleaved rounds:
 * a short one (in-process, 1 and 2 workers: the pool's overhead, and how a short sweep scales)
 * and the experiment's default scale (1 and 2 workers: the parallel efficiency quoted, because it
 * is what a standalone `sweep fault-injection` runs; `reproduce` runs it on warm workers, the warm
 * line). What each extra worker pays once (its start, module load and JIT warm-up: ~2 s of CPU on
 * this machine, measured) and what the process pays once (start and end, ~0.6 s) weigh more the
 * shorter the sweep, so the short sweep's efficiency is printed beside the quoted one, not hidden.
 */
async function pool(shortCells: number, cells: number, rss: boolean, repeat: number): Promise<PoolFigures> {
  const cpu = await medianCpu(shortCells);
  const short = { inProcess: [] as Run[], one: [] as Run[], two: [] as Run[] };
  const full = { one: [] as Run[], two: [] as Run[] };
  const machine: number[] = [];
  // One sweep per configuration is noisy on a small machine: run the configurations interleaved
  // `repeat` times and report medians with their range.
  note(`section 2: ${repeat} round(s), each 5 fresh sweep processes (short in-process, 1 and 2 workers; then ${cells} per cell on 1 and 2 workers) and the machine loop`);
  for (let i = 0; i < repeat; i++) {
    short.inProcess.push(sweepProcess(shortCells, 0)); short.one.push(sweepProcess(shortCells, 1)); short.two.push(sweepProcess(shortCells, 2));
    full.one.push(sweepProcess(cells, 1)); full.two.push(sweepProcess(cells, 2));
    machine.push(machineLoop(1) / machineLoop(2));
    const secs = (rs: Run[]) => `${rs[i].seconds.toFixed(1)} s`;
    note(`round ${i + 1} of ${repeat}: ${shortCells} per cell ${secs(short.inProcess)} / ${secs(short.one)} / ${secs(short.two)} (in-process / 1 / 2 workers), ${cells} per cell ${secs(full.one)} / ${secs(full.two)} (1 / 2 workers)`);
  }
  const line = (label: string, rs: Run[]) => `   ${label.padEnd(23)}${(rs[0].trials / mid(rs)).toFixed(1).padStart(8)} trials/s  ${mid(rs).toFixed(1)} s`;
  const efficiency = (two: Run[], one: Run[]) => two.map((r, i) => rate(r) / rate(one[i]) / 2);
  const overheads = short.one.map((r, i) => 100 * (r.seconds - short.inProcess[i].seconds) / short.inProcess[i].seconds);
  const quoted = efficiency(full.two, full.one), quick = efficiency(short.two, short.one);
  console.log(`\n2. fault-injection sweeps (every driver x app, native/restart/shadow, transient+deterministic), each run a fresh process, ${repeat} interleaved rounds (medians)`);
  console.log(`   median CPU per trial   ${cpu.median.toFixed(2)} ms (p90 ${cpu.p90.toFixed(2)} ms), in-process, warm, ${cpu.trials} trials`);
  console.log(`   GC share of CPU        ${(100 * cpu.gcShare).toFixed(1)}% (GC pauses / wall time of those trials, one thread${process.execArgv.includes('--single-threaded') ? '' : '; not --single-threaded: concurrent GC threads are not counted'})`);
  // Both fresh-process figures side by side, each with its size: the quoted one is the default
  // scale's (since 864d6e3; before, bench quoted a 3960-trial sweep, so older figures are that).
  console.log(`   parallel efficiency of fresh sweep processes on 2 workers: ${median(quoted).toFixed(2)}${range(quoted, 2)} at ${full.one[0].trials} trials (quoted), ${median(quick).toFixed(2)}${range(quick, 2)} at ${short.one[0].trials} trials`);
  const size = cells === DEFAULT_CELLS ? `the default scale, ${full.one[0].trials} trials (a standalone \`sweep fault-injection\`; \`reproduce\` runs it on workers its first sweep warmed: see warm workers below)` : `${full.one[0].trials} trials (--cells ${cells}; the default scale is ${DEFAULT_CELLS})`;
  console.log(`   ${size}`);
  console.log(line('pool, 1 worker', full.one));
  console.log(`${line('pool, 2 workers', full.two)}   parallel efficiency ${median(quoted).toFixed(2)}${range(quoted, 2)}`);
  console.log(`   efficiency per round   ${quoted.map((x) => x.toFixed(2)).join(', ')} (load average now ${load()})`);
  // The same runs split by phase: what every worker count pays alike (start, end) and the trials,
  // where the workers divide the work. Not a second goal: it says where the whole falls short.
  const phaseEff = full.two.map((r, i) => full.one[i].trialsS / r.trialsS / 2);
  const s = (rs: Run[], k: 'startS' | 'endS') => median(rs.map((r) => r[k])).toFixed(2);
  console.log(`   by phase (medians)     start ${s(full.one, 'startS')} s / ${s(full.two, 'startS')} s and end ${s(full.one, 'endS')} s / ${s(full.two, 'endS')} s on 1 / 2 workers (node, modules, planning; sort, exit: no worker count shortens them); the trials alone: efficiency ${median(phaseEff).toFixed(2)}${range(phaseEff, 2)}`);
  console.log(`   a short sweep, ${short.one[0].trials} trials (--short-cells ${shortCells}), same rounds`);
  console.log(line('in-process (0 workers)', short.inProcess));
  console.log(`${line('pool, 1 worker', short.one)}   pool overhead ${median(overheads).toFixed(1)}%${range(overheads, 1, '%')}`);
  const quickPhase = short.two.map((r, i) => short.one[i].trialsS / r.trialsS / 2);
  console.log(`${line('pool, 2 workers', short.two)}   parallel efficiency ${median(quick).toFixed(2)}${range(quick, 2)}; the trials alone ${median(quickPhase).toFixed(2)}${range(quickPhase, 2)}`);
  console.log(`   the machine itself     ${median(machine).toFixed(2)}${range(machine, 2)}: a fixed memory-bound loop on 1 and 2 threads in the same rounds (${machine.map((x) => x.toFixed(2)).join(', ')}); below 1 is the machine's own limit (shared cache and memory, other tenants)`);
  note(`section 2, warm workers: ${repeat} round(s)`);
  const warm = await warmWorkers(shortCells, repeat);
  console.log(`   warm workers           parallel efficiency ${median(warm).toFixed(2)}${range(warm, 2)}: the short sweep's trials on 1 and 2 workers that already ran these workloads (as reproduce's workers do from its second sweep on), ${repeat} interleaved rounds; no process start or end, module load, JIT warm-up or first fault-free profile of a workload in it`);
  console.log(`   optimising compilations in the whole process (V8 --trace-opt, medians): default scale 1 worker ${jit(full.one)}, 2 workers ${jit(full.two)}; short sweep in-process ${jit(short.inProcess)}, 1 worker ${jit(short.one)}, 2 workers ${jit(short.two)}`);
  if (rss) {
    // Peak RSS varies by some 5% between identical runs: the 1x figure is the median of the
    // short 2-worker rounds above, each listed; the 10x sweep runs once (it is ten times as long).
    const small = short.two.map((r) => r.rssMb);
    const base = median(small);
    note('section 3: a sweep ten times the short one, for its peak RSS');
    const large = sweepProcess(shortCells * 10, 2);
    console.log(`\n3. peak RSS of a sweep process (2 workers): ${short.two[0].trials} trials ${base.toFixed(0)} MB (median of ${small.map((x) => x.toFixed(0)).join(', ')}); ${large.trials} trials ${large.rssMb.toFixed(0)} MB (${(100 * (large.rssMb / base - 1)).toFixed(1)}% more)`);
  }
  return { efficiency: median(quoted), overhead: median(overheads) / 100, sizes: `efficiency at ${full.one[0].trials} trials, pool overhead at ${short.one[0].trials}` };
}

/** Section 4: every experiment at paper scale, projected from CPU per trial on a spread sample. */
function paperProjection(samples: number, figures: PoolFigures, workers: number): void {
  note('section 4: sampling every experiment at paper scale');
  console.log(`\n4. paper scale (reproduce --scale paper, sweeps only), projected from CPU per trial on ~${samples} trials spread over each plan`);
  console.log('experiment            trials   to run   sampled   CPU ms/trial (mean)   CPU s');
  const parts = trialsAtScale('paper').map(({ id, trials, toRun }) => {
    // Trial costs are heavy-tailed (a hung app runs to the deadline): a small sample misleads,
    // so up to `samples` per experiment, and a tenth of the smallest ones (the hour-long runs).
    const sample = spreadSample(loadExperiment(id), 'paper', Math.min(samples, Math.ceil(trials / 10)));
    const c0 = cpuMs();
    for (const t of sample) runPlanned(t);
    const perTrial = (cpuMs() - c0) / sample.length;
    console.log(`${id.padEnd(20)} ${String(trials).padStart(8)} ${String(toRun).padStart(8)} ${String(sample.length).padStart(9)} ${perTrial.toFixed(2).padStart(21)} ${((toRun * perTrial) / 1000).toFixed(0).padStart(7)}`);
    return { trials: toRun, cpuMsPerTrial: perTrial, planned: trials };
  });
  const p = project(parts, workers, figures.efficiency, Math.max(0, figures.overhead));
  const total = parts.reduce((s, x) => s + x.planned, 0), run = parts.reduce((s, x) => s + x.trials, 0);
  console.log(`   ${total} trials, ${run} run (the rest copied from identical trials), ${p.cpuSeconds.toFixed(0)} CPU s; on ${workers} workers at efficiency ${figures.efficiency.toFixed(2)} and pool overhead ${(100 * Math.max(0, figures.overhead)).toFixed(1)}% (section 2: ${figures.sizes}): ${(p.wallSeconds / 60).toFixed(1)} min of sweeps (figures, report and notebooks come after)`);
}

export function benchCommand(y: Argv): Argv {
  return y.command('bench', 'measure simulator and sweep speed: events/s, CPU per trial, pool efficiency and overhead, peak RSS (about 12 minutes on 2 cores with the defaults)',
    (a) => a
      .option('trials', { type: 'number', default: 20, coerce: intArg('trials', 1, 100_000), describe: 'fault-free trials per app (section 1)' })
      .option('cells', { type: 'number', default: DEFAULT_CELLS, coerce: intArg('cells', 1, 100_000), describe: `trials per cell of the fault-injection sweep whose parallel efficiency is quoted (section 2; default: the experiment's default scale)` })
      .option('short-cells', { type: 'number', default: 30, coerce: intArg('short-cells', 1, 100_000), describe: 'trials per cell of the short fault-injection sweep: CPU per trial, pool overhead, short-sweep and warm-worker efficiency; RSS runs use this and 10x' })
      .option('skip-rss', { type: 'boolean', default: false, describe: 'skip section 3 (a 10x child sweep)' })
      .option('repeat', { type: 'number', default: 5, coerce: intArg('repeat', 1, 100), describe: 'interleaved rounds of the section 2 sweeps (medians and ranges are reported)' })
      .option('samples', { type: 'number', default: 200, coerce: intArg('samples', 1, 100_000), describe: 'trials sampled per experiment for the paper-scale projection (section 4)' }),
    async (argv) => {
      // Measured on one thread (--single-threaded): the collector's and compiler's work is then in
      // this thread's pauses and CPU time, so the GC share is all of it (with helper threads,
      // concurrent marking would not show in the pauses). Re-run so if started otherwise.
      if (!process.execArgv.includes('--single-threaded')) {
        const r = spawnSync(process.execPath, ['--single-threaded', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
        process.exit(r.status ?? 1);
      }
      for (const o of ['repeat', 'samples', 'trials', 'cells', 'short-cells'] as const) {
        if (!Number.isInteger(argv[o]) || argv[o] < 1) { console.error(`shadowbench: --${o} must be a positive integer, got '${argv[o]}'`); process.exit(2); }
      }
      if (argv['short-cells'] >= argv.cells) { console.error(`shadowbench: --short-cells (${argv['short-cells']}) must be below --cells (${argv.cells}): the short sweep is the smaller one`); process.exit(2); }
      console.log(`load average at start: ${load()} (${cpus().length} cpus); wall-clock figures need an idle machine\n`);
      perApp(argv.trials);
      const figures = await pool(argv['short-cells'], argv.cells, !argv['skip-rss'], argv.repeat);
      paperProjection(argv.samples, figures, 2);
      console.log(`\nmachine: ${process.version}, ${cpus().length} cpus, ${process.execArgv.includes('--single-threaded') ? '--single-threaded' : 'V8 helper threads on'}; load average at end: ${load()}`);
    });
}
