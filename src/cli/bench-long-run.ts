// bench-long-run: the CPU one long-run trial costs (an hour of virtual time by default), per
// strategy, so the long-run experiment's size can be chosen knowingly. A benchmark, not a test.
import type { Argv } from 'yargs';
import { runTrial } from '../trial/run.js';
import { fail } from './errors.js';
import { SpecError } from '../trial/spec.js';

export function benchLongRunCommand(y: Argv): Argv {
  return y.command('bench-long-run', 'CPU seconds of one long-run trial (service under a fault arrival process) per strategy',
    (a) => a
      .option('hours', { type: 'number', default: 1, describe: 'virtual hours per trial' })
      .option('seed', { type: 'number', default: 0, describe: 'trial seed' })
      .option('persistence', { type: 'string', default: 'transient', describe: 'transient | deterministic' }),
    (argv) => {
      try {
        if (!(argv.hours > 0)) throw new SpecError(`--hours must be positive, got '${argv.hours}'`);
        if (!['transient', 'deterministic'].includes(argv.persistence)) throw new SpecError(`--persistence must be transient or deterministic, got '${argv.persistence}'`);
        console.log(`one long-run trial: e1000 / request-server, ${argv.hours} h virtual, ${argv.persistence} faults, seed ${argv.seed}`);
        console.log('strategy   CPU s   events     events/CPU s   availability   reboots');
        for (const strategy of ['native', 'restart', 'shadow']) {
          const t0 = process.cpuUsage();
          const r = runTrial({ driver: 'e1000', app: 'request-server', strategy, seed: argv.seed, fault: { type: 'random', persistence: argv.persistence as 'transient' }, params: { longRunUs: Math.round(argv.hours * 3.6e9) } });
          const u = process.cpuUsage(t0), s = (u.user + u.system) / 1e6;
          console.log(`${strategy.padEnd(9)} ${s.toFixed(2).padStart(6)} ${String(r.events).padStart(9)} ${Math.round(r.events / s).toString().padStart(14)} ${(100 * r.app.availability).toFixed(2).padStart(13)}% ${String(r.app.reboots).padStart(9)}`);
        }
      } catch (e) { fail(e); }
    });
}
