// The events that decide a trial, hashed as they happen (traceHash) and kept only on request.
export interface TraceEvent { t: number; kind: string; msg: string }

export class Trace {
  private h = 0x811c9dc5;
  count = 0;
  readonly events: TraceEvent[] | null;
  constructor(keep: boolean) { this.events = keep ? [] : null; }

  add(t: number, kind: string, msg: string): void {
    this.count++;
    this.mix(`${t} ${kind} ${msg}\n`);
    this.events?.push({ t, kind, msg });
  }

  private mix(s: string): void {
    let h = this.h;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    this.h = h >>> 0;
  }

  hash(): string { return this.h.toString(16).padStart(8, '0'); }
}
