// Progress on stderr: a live line on a terminal, a plain line every 10% otherwise.
export class Progress {
  private n = 0;
  private lastTenth = 0;
  private readonly startMs = performance.now();
  constructor(private readonly total: number, private readonly unit: string | null) {}

  tick(): void {
    this.n++;
    if (!this.unit) return;
    const pct = Math.floor((100 * this.n) / this.total);
    const elapsed = (performance.now() - this.startMs) / 1000;
    const rate = this.n / Math.max(elapsed, 1e-6);
    const eta = (this.total - this.n) / rate;
    const line = `${this.n}/${this.total} ${this.unit} (${pct}%) ${rate.toFixed(1)}/s, ETA ${eta.toFixed(0)} s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
    else if (Math.floor(pct / 10) > this.lastTenth) { this.lastTenth = Math.floor(pct / 10); process.stderr.write(`${line}\n`); }
  }

  done(): void { if (this.unit && process.stderr.isTTY) process.stderr.write('\n'); }
}
