import type { Argv } from 'yargs';
import { APPS, DRIVERS, STRATEGIES } from '../registry.js';
import { FAULT_TYPES } from '../faults/types.js';
import { DRIVER_CLASSES } from '../kernel/class-core.js';
import { listExperiments, loadExperiment } from '../sweep/experiment.js';

export function listing() {
  return {
    drivers: DRIVERS.map((d) => ({ id: d.id, class: d.cls, description: d.description })),
    apps: APPS.map((a) => ({ id: a.id, class: a.driverClass, description: a.description })),
    strategies: STRATEGIES.map((s) => ({ id: s.id, classes: s.classes ?? DRIVER_CLASSES, description: s.description })),
    // Which drivers and which strategies each class has (a strategy without `classes` models all).
    classes: DRIVER_CLASSES.map((c) => ({ id: c, drivers: DRIVERS.filter((d) => d.cls === c).map((d) => d.id), strategies: STRATEGIES.filter((s) => !s.classes || s.classes.includes(c)).map((s) => s.id),
      description: `drivers ${DRIVERS.filter((d) => d.cls === c).map((d) => d.id).join(', ')}; strategies ${STRATEGIES.filter((s) => !s.classes || s.classes.includes(c)).map((s) => s.id).join(', ')}` })),
    faults: FAULT_TYPES.map((f) => ({ id: f.id, sites: f.sites, description: f.description })),
    // A broken experiment file is listed with its error, not a crash of the whole listing.
    experiments: listExperiments().map((id) => {
      try { const e = loadExperiment(id); return { id, description: e.description, strategies: e.strategies, trialsPerCell: e.trialsPerCell }; } catch (err) { return { id, description: `BROKEN: ${(err as Error).message}`, strategies: [], trialsPerCell: null }; }
    }),
  };
}

export function listCommand(y: Argv): Argv {
  return y.command('list', 'list drivers, apps, strategies, fault types and experiments',
    (a) => a.option('json', { type: 'boolean', default: false, describe: 'print {drivers, apps, strategies, faults, experiments} as JSON' }),
    (argv) => {
      const l = listing();
      if (argv.json) { console.log(JSON.stringify(l, null, 2)); return; }
      for (const [section, items] of Object.entries(l)) {
        console.log(`${section}:`);
        if (items.length === 0) console.log('  (none yet)');
        for (const it of items) {
          const classes = 'classes' in it && it.classes.length < DRIVER_CLASSES.length ? ` [${it.classes.join(', ')} only]` : '';
          console.log(`  ${it.id.padEnd(20)} ${it.description}${classes}`);
        }
      }
    });
}
