// V8 allocates a function literal assigned straight to a property (`o.f = () => ...`,
// `out[k] = function ...`) in the old generation, betting that it is a long-lived method. A closure
// made per trial and allocated there keeps its context, and through it the trial's whole world,
// alive through every scavenge until the next full GC, long after the trial ended: each trial's
// objects were copied and promoted once more (measured: ~83 KB of every trial's world survived
// the next trial boundary; %InYoungGeneration showed the driver-call wrappers and peekWord old).
// A literal passed through a call is allocated young as any other.

/** `fn` itself: wrap a per-trial closure that is assigned to a property, so it is made young. */
export const young = <F extends (...args: never[]) => unknown>(fn: F): F => fn;
