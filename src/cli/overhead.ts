import type { Argv } from 'yargs';
import { measureOverhead, paperComparison } from '../analysis/overhead.js';
import { PAPER } from '../analysis/paper.js';
import { DRIVERS, STRATEGIES } from '../registry.js';
import { PARAM_SCHEMA } from '../params.js';
import { fail } from './errors.js';
import { paramOverrides } from './fault-options.js';
import { intArg } from './args.js';

/** Overhead is a bulk network transfer: only network drivers run it. */
const NETWORK_DRIVERS = DRIVERS.filter((d) => d.cls === 'network').map((d) => d.id);
const BYTES = PARAM_SCHEMA.fileTransferBytes;
// Shorter transfers are dominated by connection start-up: measured CPU utilization then exceeds
// 100% (1400 bytes: 204% under restart), which is no throughput measurement.
const MIN_BYTES = 1 << 20;

export function overheadCommand(y: Argv): Argv {
  return y.command('overhead', 'fault-free bulk transfer, send and receive: throughput and CPU per strategy, relative to native, beside the paper',
    (a) => a
      .option('driver', { type: 'string', default: 'e1000', choices: NETWORK_DRIVERS, describe: 'network driver' })
      .option('bytes', { type: 'number', default: 4 * 1024 * 1024, coerce: intArg('bytes', MIN_BYTES, BYTES.max), describe: 'bytes per transfer (1 MiB up to the maximum of fileTransferBytes)' })
      .option('seeds', { type: 'number', default: 3, coerce: intArg('seeds', 1, 1000), describe: 'transfers per cell (seeds 0..N-1)' })
      .option('param', { type: 'string', array: true, default: [] as string[], describe: 'override a parameter, e.g. isolatedCrossingNs=500 (repeatable)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the rows as JSON' }),
    (argv) => {
      try {
        const rows = measureOverhead(argv.driver, STRATEGIES.filter((s) => !s.classes || s.classes.includes('network')).map((s) => s.id), argv.bytes, argv.seeds, paramOverrides(argv.param));
        if (argv.json) { console.log(JSON.stringify({ driver: argv.driver, bytes: argv.bytes, seeds: argv.seeds, rows })); return; }
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
