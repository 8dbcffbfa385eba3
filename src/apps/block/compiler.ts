// make/gcc-like: read every source file, spend CPU compiling it, write its object file; then
// sync, read every object back and check it is what the compiler produced.
import type { BlockWorld } from '../../world/block-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { fillBytes } from '../types.js';
import { runSteps, Step, transform, sameBytes } from './steps.js';
import { bytesToOverwrite } from '../../sim/slab.js';

const FILES = 24, SRC_BYTES = 6144, OBJ_BYTES = 4096, COMPILE_US = 3000;

class Compiler implements App {
  private readonly w: BlockWorld;
  private readonly sources: Uint8Array[] = [];
  private error: string | null = null;
  private mismatches = 0;
  private compiled = 0;

  constructor(private readonly c: AppContext) {
    this.w = c.world as BlockWorld;
    const seed = c.rng.int(0x7fffffff);
    for (let i = 0; i < FILES; i++) {
      const src = fillBytes(bytesToOverwrite(SRC_BYTES), seed + i);
      this.sources.push(src);
      this.w.fs.install((n, d) => this.w.install(n, d), `src${i}.c`, src);
    }
  }

  start(): void {
    const { fs, k } = this.w;
    const steps: Step[] = [];
    for (let i = 0; i < FILES; i++) {
      steps.push((next) => fs.read(`src${i}.c`, 0, SRC_BYTES, (r, data) => {
        if (r < 0) return next(`make: src${i}.c: read error (${r})`);
        k.sched.schedule(COMPILE_US, 'compile', () => {
          if (fs.create(`src${i}.o`, OBJ_BYTES) < 0) return next(`make: cannot create src${i}.o`);
          fs.write(`src${i}.o`, 0, transform(data, OBJ_BYTES, i), (w) => { if (w < 0) return next(`make: src${i}.o: write error (${w})`); this.compiled++; next(); });
        });
      }));
    }
    for (let i = 0; i < FILES; i++) steps.push((next) => fs.fsync(`src${i}.o`, (r) => next(r < 0 ? `make: sync failed (${r})` : undefined)));
    for (let i = 0; i < FILES; i++) {
      steps.push((next) => fs.read(`src${i}.o`, 0, OBJ_BYTES, (r, data) => {
        if (r < 0) return next(`check: src${i}.o: read error (${r})`);
        if (!sameBytes(data, transform(this.sources[i], OBJ_BYTES, i))) this.mismatches++;
        next();
      }));
    }
    runSteps(steps, (err) => { this.error = err; if (err) k.log('app', err); this.c.finish(); });
  }

  verdict(): AppVerdict {
    if (this.error) return { outcome: 'app-failed', reason: this.error };
    if (this.mismatches > 0) return { outcome: 'malfunction', reason: `${this.mismatches} object files differ from what was compiled` };
    return { outcome: 'correct', reason: `${FILES} files compiled; every object file verified` };
  }

  metrics(): Record<string, number> { return { files: FILES, compiled: this.compiled }; }
}

export const compiler: AppModule = {
  id: 'compiler', driverClass: 'block',
  description: 'compiler (make/gcc): read sources, write object files, verify them',
  create: (c) => new Compiler(c),
};
