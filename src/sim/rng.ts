// One root seed derives every random stream by name, so adding a draw in one stream never
// shifts another (TigerBeetle VOPR style). seedrandom's alea is fast and portable.
import seedrandom from 'seedrandom';

export class Rng {
  private readonly gen: seedrandom.PRNG;
  constructor(readonly name: string, rootSeed: number) {
    this.gen = seedrandom.alea(`${rootSeed}/${name}`);
  }
  /** Uniform in [0, 1). */
  next(): number { return this.gen(); }
  /** Uniform integer in [0, n). */
  int(n: number): number { return Math.floor(this.gen() * n); }
  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  chance(p: number): boolean { return this.gen() < p; }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }
  /** Exponentially distributed with the given mean. */
  exp(mean: number): number { return -mean * Math.log(1 - this.gen()); }
}

export class RngStreams {
  private readonly streams = new Map<string, Rng>();
  constructor(readonly rootSeed: number) {}
  get(name: string): Rng {
    let s = this.streams.get(name);
    if (!s) { s = new Rng(name, this.rootSeed); this.streams.set(name, s); }
    return s;
  }
}
