#!/usr/bin/env -S node --single-threaded
// Entry point for `npx shadowbench`: runs the compiled CLI (built by `npm install` / `npm run build`).
// --single-threaded: sweeps keep every core busy with trial workers, and V8's background GC and
// compiler threads competed with them (parallel efficiency 0.72 -> 0.98 on 2 cores, measured
// with `shadowbench bench`). It must be given at start: setting it later crashes V8.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
// A smaller inlining budget for V8's optimising compiler (default 920 bytes of bytecode per
// function): a cold worker spent about a fifth of its CPU compiling, and each worker compiles
// for itself. Measured with `bench` (--trace-opt): compile time of a 2-worker fault-injection
// sweep 5.1 -> 2.7 s, the sweep 11.2 -> 9.5 s (one pair of runs); warm trials a little slower
// (median 1.80-2.01 vs 1.69-1.96 ms per trial), the whole less. Read
// when a function is compiled, so setting it here (before any is optimised) is enough; worker
// threads share it. It changes no result: only how V8 compiles the same JavaScript.
setFlagsFromString('--max-inlined-bytecode-size-cumulative=200');
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('shadowbench: not built yet; run `npm install` (or `npm run build`) in the repository first');
  process.exit(2);
}
await import(main.href);
