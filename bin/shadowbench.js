#!/usr/bin/env -S node --single-threaded
// Entry point for `npx shadowbench`: runs the compiled CLI (built by `npm install` / `npm run build`).
// --single-threaded: sweeps keep every core busy with trial workers, and V8's background GC and
// compiler threads competed with them (parallel efficiency 0.72 -> 0.98 on 2 cores, measured
// with `shadowbench bench`). It must be given at start: setting it later crashes V8.
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('shadowbench: not built yet; run `npm install` (or `npm run build`) in the repository first');
  process.exit(2);
}
await import(main.href);
