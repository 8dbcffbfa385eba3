#!/usr/bin/env -S node --single-threaded
// Measurements of issue 15 (docs/DEVELOPMENT.md): run after `npx tsc -p .`.
//   node scripts/matrix-measure.mjs cost [seeds]     wall ms per trial per sound/block driver
//   node scripts/matrix-measure.mjs replica          what a sound replica (and a checkpoint) costs
//   node scripts/matrix-measure.mjs ncq [seeds]      ahci block apps, 1 vs 32 slots: shadow and checkpoint
import { runTrial } from '../dist/src/trial/run.js';
import { DRIVERS, APPS } from '../dist/src/registry.js';

const [what, arg] = process.argv.slice(2);

function cost(n) {
  for (const d of DRIVERS.filter((x) => x.cls !== 'network')) {
    let ms = 0, count = 0;
    for (const a of APPS.filter((x) => x.driverClass === d.cls)) for (const s of ['native', 'restart', 'shadow']) for (let seed = 1; seed <= n; seed++) {
      runTrial({ driver: d.id, app: a.id, strategy: s, seed: 1000 + seed, fault: null }); // warm the profile
      const t = process.hrtime.bigint();
      runTrial({ driver: d.id, app: a.id, strategy: s, seed: 1000 + seed, fault: { type: 'random' } });
      ms += Number(process.hrtime.bigint() - t) / 1e6; count++;
    }
    console.log(`${d.id}: ${(ms / count).toFixed(1)} ms per trial (${count} trials)`);
  }
}

function replica() {
  for (const driver of ['audigy', 'sb16']) for (const app of ['mp3-player', 'audio-recorder']) {
    const row = {};
    for (const s of ['native', 'shadow', 'replication', 'checkpoint']) {
      const r = runTrial({ driver, app, strategy: s, seed: 1, fault: null });
      row[s] = { cpuUs: r.cpu.totalUs, upkeepUs: r.cpu.upkeepUs, peak: r.log.peakBytes, mirrored: r.strategyStats.mirroredBytes, state: r.strategyStats.replicaStateBytes, ckpts: r.strategyStats.checkpoints, ckptBytes: r.strategyStats.checkpointBytes };
    }
    console.log(driver, app, JSON.stringify(row));
  }
}

function ncq(n) {
  for (const app of ['database', 'encoder', 'compiler']) for (const slots of [1, 32]) for (const strategy of ['shadow', 'checkpoint']) {
    const agg = { n: 0, detected: 0, recovered: 0, correct: 0, resubmitted: 0, maxResubmitted: 0, replayed: 0, replayRefused: 0, heldAtFailure: 0 };
    for (let seed = 1; seed <= n; seed++) {
      const r = runTrial({ driver: 'ahci', app, strategy, seed, fault: { type: 'random', persistence: 'transient' }, params: { ahciSlots: slots } }, { trace: true });
      if (r.outcome === 'not-activated') continue;
      agg.n++;
      if (!r.detected) continue;
      agg.detected++;
      if (r.recoveries.succeeded > 0) agg.recovered++;
      if (r.outcome === 'correct') agg.correct++;
      for (const e of r.trace ?? []) { const m = /resubmitting (\d+) requests/.exec(e.msg); if (m) { agg.resubmitted += +m[1]; agg.maxResubmitted = Math.max(agg.maxResubmitted, +m[1]); } }
      agg.replayed += r.strategyStats.replayedCalls ?? 0;
      agg.replayRefused += r.strategyStats.replayDropped ?? 0;
      agg.heldAtFailure += r.log.atFailureEntries;
    }
    console.log(`${app} slots=${slots} ${strategy}`, JSON.stringify(agg));
  }
}

if (what === 'cost') cost(Number(arg ?? 4));
else if (what === 'replica') replica();
else if (what === 'ncq') ncq(Number(arg ?? 40));
else { console.error('usage: node scripts/matrix-measure.mjs cost|replica|ncq [seeds]'); process.exit(2); }
