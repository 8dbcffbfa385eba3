import type { Argv } from 'yargs';
import { runTrial } from '../trial/run.js';
import { SpecError } from '../trial/spec.js';
import type { TrialRecord } from '../trial/record.js';
import { APPS, DRIVERS, STRATEGIES } from '../registry.js';
import { fail } from './errors.js';
import { withFaultOptions, faultRequest, paramOverrides } from './fault-options.js';

export function parseSeed(raw: unknown): number {
  const s = String(raw);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new SpecError(`--seed must be a non-negative integer, got '${s}'`);
  return Number(s);
}

export function formatRecord(r: TrialRecord): string {
  const lines = [
    `${r.spec.driver} / ${r.spec.app} / ${r.spec.strategy} / seed ${r.spec.seed}`,
    `outcome      ${r.outcome}: ${r.reason}`,
    `fault        ${r.fault ? `${r.fault.persistence} ${r.fault.type} at ${r.fault.site}, armed at ${r.fault.armAtUs} us; fired ${r.fault.fired} times${r.fault.firstFiredUs !== null ? ` (first at ${r.fault.firstFiredUs} us: ${r.fault.firings[0]?.effect})` : ''}` : 'none'}`,
    `detected     ${r.detected ? `${r.detected.kind} at ${r.detected.atUs} us in ${r.detected.entry}${r.detected.site ? ` (${r.detected.site})` : ''}` : 'no failure detected'}`,
    `recoveries   ${r.recoveries.succeeded}/${r.recoveries.attempted} succeeded${r.recoveries.gaveUp ? ', gave up' : ''}; recovery ${r.recoveryUs} us; downtime ${r.downtimeUs} us`,
    `run          ${r.virtualUs} us virtual, ${r.events} events, trace ${r.traceHash}`,
    `replay       ${r.replay}`,
  ];
  return lines.join('\n');
}

export function trialCommand(y: Argv): Argv {
  return y.command('trial', 'run one seeded trial and print its record',
    (a) => withFaultOptions(a)
      .option('driver', { type: 'string', demandOption: true, choices: DRIVERS.map((d) => d.id), describe: 'driver' })
      .option('app', { type: 'string', demandOption: true, choices: APPS.map((x) => x.id), describe: 'application (of the driver\'s class)' })
      .option('strategy', { type: 'string', demandOption: true, choices: STRATEGIES.map((s) => s.id), describe: 'recovery strategy' })
      .option('seed', { type: 'string', demandOption: true, describe: 'root seed (non-negative integer); every random stream derives from it' })
      .option('json', { type: 'boolean', default: false, describe: 'print the full record as JSON' })
      .option('trace', { type: 'boolean', default: false, describe: 'also print the events that decided the outcome' })
      .example('$0 trial --driver e1000 --app file-transfer --strategy native --seed 7 --fault none', 'one fault-free transfer')
      .example('$0 trial --driver e1000 --app network-analyzer --strategy restart --seed 3 --fault branch-invert --site e1000.xmit.ring_full --trace', 'a chosen fault, with the events that decided it'),
    (argv) => {
      try {
        const r = runTrial({
          driver: argv.driver, app: argv.app, strategy: argv.strategy, seed: parseSeed(argv.seed),
          fault: faultRequest(argv), params: paramOverrides(argv.param),
        }, { trace: argv.trace });
        if (argv.json) { console.log(JSON.stringify(r)); return; }
        console.log(formatRecord(r));
        if (r.trace) {
          console.log('trace:');
          for (const e of r.trace) console.log(`  ${String(e.t).padStart(10)} us  ${e.kind.padEnd(12)} ${e.msg}`);
        }
      } catch (e) { fail(e); }
    });
}
