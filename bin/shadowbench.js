#!/usr/bin/env node
// Entry point for `npx shadowbench`: runs the compiled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('shadowbench: not built yet; run `npm install` (or `npm run build`) in the repository first');
  process.exit(2);
}
await import(main.href);
