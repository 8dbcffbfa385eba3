// Discrete-event core in integer virtual microseconds. Events are totally ordered by
// (time, priority, sequence), so simultaneous events always resolve the same way (as in SimPy).

export type Action = () => void;

export interface EventHandle { cancel(): void; readonly time: number }

/** A scheduled event is its own handle: one object per event, no cancel closure. */
class Entry implements EventHandle {
  cancelled = false;
  constructor(readonly time: number, readonly priority: number, readonly seq: number, readonly label: string, readonly action: Action) {}
  cancel(): void { this.cancelled = true; }
}

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private stopped = false;
  now = 0;
  eventsRun = 0;
  budgetExceeded = false;

  /** Schedule `action` after `delayUs` (rounded up to whole µs; never in the past). */
  schedule(delayUs: number, label: string, action: Action, priority = 0): EventHandle {
    const delay = Math.max(0, Math.ceil(delayUs));
    const entry = new Entry(this.now + delay, priority, this.seq++, label, action);
    this.push(entry);
    return entry;
  }

  /** Stop the run loop after the current event (e.g. the system crashed). */
  stop(): void { this.stopped = true; }
  get isStopped(): boolean { return this.stopped; }

  /** Run events until none are left, the loop is stopped, virtual time would pass `untilUs`,
   *  or `maxEvents` have run in total (then `budgetExceeded` is set). */
  run(untilUs: number, maxEvents = Infinity): void {
    while (!this.stopped && this.heap.length > 0) {
      if (this.eventsRun >= maxEvents) { this.budgetExceeded = true; break; }
      const top = this.heap[0];
      if (top.time > untilUs) break;
      this.pop();
      if (top.cancelled) continue;
      this.now = top.time;
      this.eventsRun++;
      top.action();
    }
    if (!this.stopped && this.now < untilUs && this.heap.length === 0) this.now = untilUs;
  }

  pending(): number { return this.heap.filter((e) => !e.cancelled).length; }

  private less(a: Entry, b: Entry): boolean {
    if (a.time !== b.time) return a.time < b.time;
    if (a.priority !== b.priority) return a.priority < b.priority;
    return a.seq < b.seq;
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      const t = h[i]; h[i] = h[p]; h[p] = t;
      i = p;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        const t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
      }
    }
    return top;
  }
}
