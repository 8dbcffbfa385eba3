// Speed of the simulator: events per second and CPU per fault-free trial, measured in-process.
import type { Argv } from 'yargs';
import { runTrial } from '../trial/run.js';
import { APPS, DRIVERS } from '../registry.js';

function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }

export function benchCommand(y: Argv): Argv {
  return y.command('bench', 'measure simulated events per second and CPU ms per fault-free trial',
    (a) => a.option('trials', { type: 'number', default: 30, describe: 'trials per app (after 5 warm-up trials)' }),
    (argv) => {
      console.log(`app                  trials   events/trial   CPU ms/trial (median)   events/s (CPU)`);
      for (const app of APPS) {
        const driver = DRIVERS.find((d) => d.cls === app.driverClass)!.id;
        for (let s = 0; s < 5; s++) runTrial({ driver, app: app.id, strategy: 'native', seed: 1000 + s });
        const times: number[] = [];
        let events = 0;
        for (let s = 0; s < argv.trials; s++) {
          const t0 = cpuMs();
          events += runTrial({ driver, app: app.id, strategy: 'native', seed: s }).events;
          times.push(cpuMs() - t0);
        }
        times.sort((a, b) => a - b);
        const total = times.reduce((x, y) => x + y, 0);
        console.log(`${app.id.padEnd(20)} ${String(argv.trials).padStart(6)} ${String(Math.round(events / argv.trials)).padStart(14)} ${times[times.length >> 1].toFixed(2).padStart(23)} ${Math.round(events / (total / 1000)).toString().padStart(16)}`);
      }
    });
}
