import type { Argv } from 'yargs';
import { measureOverhead, paperComparison } from '../analysis/overhead.js';
import { PAPER } from '../analysis/paper.js';
import { DRIVERS, STRATEGIES } from '../registry.js';
import { SpecError } from '../trial/spec.js';
import { fail } from './errors.js';
import { paramOverrides } from './fault-options.js';

export function overheadCommand(y: Argv): Argv {
  return y.command('overhead', 'fault-free bulk transfer, send and receive: throughput and CPU per strategy, relative to native, beside the paper',
    (a) => a
      .option('driver', { type: 'string', default: 'e1000', describe: `network driver: ${DRIVERS.map((d) => d.id).join(', ')}` })
      .option('bytes', { type: 'number', default: 4 * 1024 * 1024, describe: 'bytes per transfer' })
      .option('seeds', { type: 'number', default: 3, describe: 'transfers per cell (seeds 0..N-1)' })
      .option('param', { type: 'string', array: true, default: [] as string[], describe: 'override a parameter, e.g. isolatedCrossingNs=500 (repeatable)' }),
    (argv) => {
      try {
        if (!DRIVERS.some((d) => d.id === argv.driver)) throw new SpecError(`unknown driver '${argv.driver}'; valid: ${DRIVERS.map((d) => d.id).join(', ')}`);
        const rows = measureOverhead(argv.driver, STRATEGIES.map((s) => s.id), argv.bytes, argv.seeds, paramOverrides(argv.param));
        console.log(`${argv.driver}: fault-free bulk transfer of ${argv.bytes} bytes, ${argv.seeds} seeds per cell (simulated CPU; costs in data/params.json)`);
        console.log('direction  strategy    Mb/s   rel. throughput   CPU util.   CPU points vs native   crossings/s');
        for (const r of rows) {
          console.log(`${r.set.padEnd(10)} ${r.strategy.padEnd(8)} ${(r.throughputMbps ?? 0).toFixed(1).padStart(7)} ${(100 * r.relativeThroughput).toFixed(1).padStart(16)}% ${(100 * r.cpuUtilization).toFixed(1).padStart(10)}% ${r.cpuPointsOverNative.toFixed(1).padStart(22)} ${Math.round(r.crossingsPerSec).toString().padStart(13)}`);
        }
        for (const c of paperComparison(rows, argv.driver)) console.log(`${c.differs ? '≠' : '='} ${c.what}: ours ${c.what.includes('throughput') ? `${(100 * c.ours).toFixed(1)}%` : c.ours.toFixed(1)}, paper ${c.paper}${c.differs ? ` (${c.by})` : ''}`);
        const o = PAPER.overhead;
        console.log(`\npaper (${o.throughputRelative.provenance}): ${o.throughputRelative.text}; ${o.cpuPointsReceive.text}; ${o.cpuPointsSend.text}`);
        console.log('(the paper measured Linux-SD, i.e. shadow, against native with netperf; restart is Linux-Nooks)');
      } catch (e) { fail(e); }
    });
}
