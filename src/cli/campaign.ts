// A fault-injection campaign for one driver and app: N seeded random faults, the same fault
// under every strategy (same seed, same draw), and the outcome mix side by side.
import type { Argv } from 'yargs';
import { runTrial } from '../trial/run.js';
import { OUTCOMES, Outcome, TrialRecord } from '../trial/record.js';
import { APPS, DRIVERS, STRATEGIES } from '../registry.js';
import { intArg, idList } from './args.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';
import { withFaultOptions, faultRequest, paramOverrides } from './fault-options.js';
import { Progress } from './progress.js';
import { campaignCategories, nooksHeadline } from '../analysis/paper-campaign.js';
import { interval } from '../analysis/stats.js';

export interface CampaignResult { strategies: string[]; records: Record<string, TrialRecord[]> }

export function mix(records: TrialRecord[]): Record<Outcome, number> {
  const m = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of records) m[r.outcome]++;
  return m;
}

export function formatMix(c: CampaignResult): string {
  const w = 16;
  const head = 'outcome'.padEnd(16) + c.strategies.map((s) => s.padStart(w)).join('');
  const rows = OUTCOMES.map((o) => o.padEnd(16) + c.strategies.map((s) => {
    const rs = c.records[s], n = mix(rs)[o];
    return `${n} (${((100 * n) / rs.length).toFixed(1)}%)`.padStart(w);
  }).join(''));
  const activated = (s: string) => c.records[s].filter((r) => r.outcome !== 'not-activated');
  const extra = [
    'detected'.padEnd(16) + c.strategies.map((s) => String(c.records[s].filter((r) => r.detected).length).padStart(w)).join(''),
    'recovered'.padEnd(16) + c.strategies.map((s) => String(c.records[s].filter((r) => r.recoveries.succeeded > 0).length).padStart(w)).join(''),
    'activated'.padEnd(16) + c.strategies.map((s) => String(activated(s).length).padStart(w)).join(''),
  ];
  return [head, ...rows, ...extra].join('\n');
}

/** The paper's categories among faults that harmed the application natively (analysis/paper-campaign.ts). */
export function formatCategories(c: CampaignResult): string {
  const all = c.strategies.flatMap((s) => c.records[s]);
  const cats = campaignCategories(all).filter((x) => x.strategy !== 'native');
  const head = nooksHeadline(all);
  if (cats.length === 0) return 'no fault harmed the application natively: no recovery categories';
  return ['', 'among faults that harmed the application natively:', 'strategy'.padEnd(16) + 'n'.padStart(6) + 'automatic'.padStart(24) + 'manual'.padStart(24) + 'failed'.padStart(24) + '   native crashes kept up',
    ...cats.map((x) => {
      const h = head.find((y) => y.strategy === x.strategy);
      return x.strategy.padEnd(16) + String(x.n).padStart(6) + interval(x.automatic).padStart(24) + interval(x.manual).padStart(24) + interval(x.failed).padStart(24) + `   ${h ? `${h.keptUp.k}/${h.nativeCrashes}` : '-'}`;
    })].join('\n');
}

export function campaignCommand(y: Argv): Argv {
  return y.command('campaign', 'run N seeded random faults for one driver and app; print the outcome mix per strategy',
    (a) => withFaultOptions(a)
      .option('driver', { type: 'string', default: 'e1000', choices: DRIVERS.map((d) => d.id), describe: 'driver' })
      .option('app', { type: 'string', default: 'file-transfer', choices: APPS.map((x) => x.id), describe: 'application (of the driver\'s class)' })
      .option('strategies', { type: 'string', default: STRATEGIES.map((s) => s.id).join(','), coerce: idList('strategies', STRATEGIES.map((s) => s.id)), describe: 'comma-separated strategies to compare (each once)' })
      .option('trials', { type: 'number', default: 100, coerce: intArg('trials', 1, 1_000_000), describe: 'faults (seeds) per strategy' })
      .option('seed-base', { type: 'number', default: 0, coerce: intArg('seed-base', 0, Number.MAX_SAFE_INTEGER - 1_000_000), describe: 'first seed; trial i uses seed-base + i' })
      .option('json', { type: 'boolean', default: false, describe: 'print every record as JSON lines instead of the table' }),
    (argv) => {
      try {
        const strategies = argv.strategies as unknown as string[];
        const fault = faultRequest(argv);
        const params = paramOverrides(argv.param);
        const result: CampaignResult = { strategies, records: Object.fromEntries(strategies.map((s) => [s, []])) };
        const progress = new Progress(argv.trials * strategies.length, argv.json ? null : 'trials');
        for (let i = 0; i < argv.trials; i++) {
          for (const s of strategies) {
            const r = runTrial({ driver: argv.driver, app: argv.app, strategy: s, seed: argv['seed-base'] + i, fault, params });
            result.records[s].push(r);
            if (argv.json) console.log(JSON.stringify(r));
            progress.tick();
          }
        }
        progress.done();
        if (!argv.json) {
          console.log(`${argv.driver} / ${argv.app}: ${argv.trials} faults (${fault ? `type ${fault.type}${fault.persistence ? `, ${fault.persistence}` : ''}${fault.trigger !== undefined ? `, request-triggered 1 in ${fault.trigger}` : ''}${fault.count ? `, ${fault.count} per trial` : ''}` : 'none'}), seeds ${argv['seed-base']}..${argv['seed-base'] + argv.trials - 1}`);
          console.log(formatMix(result));
          if (strategies.includes('native')) console.log(formatCategories(result));
        }
      } catch (e) { fail(e); }
    });
}
