// Small statistics: Wilson score intervals for proportions, quantiles.

export interface Proportion { k: number; n: number; p: number; lo: number; hi: number }

/** Wilson score interval (95% by default): honest near 0 and 1 and for small n. */
export function wilson(k: number, n: number, z = 1.959964): Proportion {
  if (n === 0) return { k, n, p: 0, lo: 0, hi: 1 };
  const p = k / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { k, n, p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

export const pct = (x: number, digits = 0): string => `${(100 * x).toFixed(digits)}%`;
export const interval = (p: Proportion): string => `${pct(p.p)} [${pct(p.lo)}, ${pct(p.hi)}]`;
/** A size for a table: bytes below 10 KiB, KiB above. */
export const kib = (b: number): string => (b >= 10240 ? `${(b / 1024).toFixed(0)} KiB` : `${Math.round(b)} B`);
