// Fingerprint of the records the code makes: a spread sample of every experiment's paper-scale
// plan (N trials each, default 60; long-run only with LONG=1, 6 trials), run in-process, hashed
// per experiment. Run it before and after a change meant to keep records byte-identical
// (speed work) and compare the hashes; a change that alters records shows which experiments.
//   npm run build && node --single-threaded scripts/records-fingerprint.mjs [N]
import { createHash } from 'node:crypto';
const dist = new URL('../dist/src/', import.meta.url).href;
const { loadExperiment, listExperiments } = await import(`${dist}sweep/experiment.js`);
const { runPlanned } = await import(`${dist}sweep/run-one.js`);
const { spreadSample } = await import(`${dist}cli/bench-measure.js`);
const n = Number(process.argv[2] ?? 60);
const all = createHash('md5');
for (const id of listExperiments()) {
  if (id === 'long-run' && !process.env.LONG) continue;
  const h = createHash('md5');
  const sample = spreadSample(loadExperiment(id), 'paper', id === 'long-run' ? 6 : n);
  const c0 = process.cpuUsage();
  for (const t of sample) { const line = `${runPlanned(t)}\n`; h.update(line); all.update(line); }
  const u = process.cpuUsage(c0);
  console.log(`${id.padEnd(22)} ${String(sample.length).padStart(4)} trials  ${h.digest('hex').slice(0, 12)}  ${((u.user + u.system) / 1000 / sample.length).toFixed(2)} ms CPU/trial`);
}
console.log(`all ${all.digest('hex')}`);
