// mySQL-like: a table of fixed-size records and a redo log. Each transaction rewrites one
// record and appends a log entry, then fsyncs both (commit). At the end it checks integrity
// and durability: every record holds its last committed value and the log holds every commit.
import type { BlockWorld } from '../../world/block-world.js';
import type { App, AppContext, AppModule, AppVerdict } from '../types.js';
import { fnv1a } from '../../sim/memory.js';
import { runSteps, Step, sameBytes } from './steps.js';
import { fillBytes } from '../types.js';
import { bytesToOverwrite, newBytes, viewOf } from '../../sim/slab.js';

const RECORDS = 32, RECORD = 512, TRANSACTIONS = 120;

function record(slot: number, version: number, seed: number): Uint8Array {
  const r = fillBytes(bytesToOverwrite(RECORD), seed + slot * 7919 + version * 104729);
  const v = viewOf(r);
  v.setUint32(0, slot, true); v.setUint32(4, version, true); v.setUint32(8, fnv1a(r.subarray(12)), true);
  return r;
}

class Database implements App {
  private readonly w: BlockWorld;
  private readonly committed: number[] = new Array(RECORDS).fill(0);
  private readonly logEntries: Uint8Array[] = [];
  private error: string | null = null;
  private problems: string[] = [];
  private seed = 0;

  constructor(private readonly c: AppContext) {
    this.w = c.world as BlockWorld;
    this.seed = c.rng.int(0x7fffffff);
    const table = newBytes(RECORDS * RECORD);
    for (let s = 0; s < RECORDS; s++) table.set(record(s, 0, this.seed), s * RECORD);
    this.w.fs.install((n, d) => this.w.install(n, d), 'table.db', table);
  }

  start(): void {
    const { fs, k } = this.w;
    const rng = this.c.rng;
    const steps: Step[] = [(next) => next(fs.create('redo.log', TRANSACTIONS * RECORD) < 0 ? 'mysqld: cannot create the log' : undefined)];
    for (let t = 0; t < TRANSACTIONS; t++) {
      steps.push((next) => {
        const slot = rng.int(RECORDS), version = this.committed[slot] + 1;
        const rec = record(slot, version, this.seed);
        fs.write('table.db', slot * RECORD, rec, (r) => {
          if (r < 0) return next(`mysqld: table write failed (${r})`);
          fs.write('redo.log', t * RECORD, rec, (r2) => {
            if (r2 < 0) return next(`mysqld: log write failed (${r2})`);
            fs.fsync('table.db', (s1) => fs.fsync('redo.log', (s2) => {
              if (s1 < 0 || s2 < 0) return next(`mysqld: commit failed (fsync ${s1 < 0 ? s1 : s2})`);
              this.committed[slot] = version;
              this.logEntries.push(rec);
              next();
            }));
          });
        });
      });
    }
    steps.push((next) => fs.read('table.db', 0, RECORDS * RECORD, (r, data) => {
      if (r < 0) return next(`check: table read failed (${r})`);
      for (let s = 0; s < RECORDS; s++) {
        if (!sameBytes(data.subarray(s * RECORD, (s + 1) * RECORD), record(s, this.committed[s], this.seed))) this.problems.push(`record ${s} is not its last committed version`);
      }
      next();
    }));
    steps.push((next) => fs.read('redo.log', 0, TRANSACTIONS * RECORD, (r, data) => {
      if (r < 0) return next(`check: log read failed (${r})`);
      this.logEntries.forEach((e, i) => { if (!sameBytes(data.subarray(i * RECORD, (i + 1) * RECORD), e)) this.problems.push(`log entry ${i} lost`); });
      next();
    }));
    runSteps(steps, (err) => { this.error = err; if (err) k.log('app', err); this.c.finish(); });
  }

  verdict(): AppVerdict {
    if (this.error) return { outcome: 'app-failed', reason: this.error };
    if (this.problems.length) return { outcome: 'malfunction', reason: `${this.problems.length} integrity violations: ${this.problems[0]}` };
    return { outcome: 'correct', reason: `${TRANSACTIONS} transactions committed; table and log intact` };
  }

  metrics(): Record<string, number> { return { transactions: this.logEntries.length }; }
}

export const database: AppModule = {
  id: 'database', driverClass: 'block',
  description: 'database (mySQL): transactions with fsync; integrity and durability checked at the end',
  create: (c) => new Database(c),
};
