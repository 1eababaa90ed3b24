/** Small numeric helpers for the streaming detector (no allocation-heavy libraries on the hot path). */

/** The k-th smallest (0-based) of `a[0..n)`, rearranging `a` in place (Hoare's quickselect). */
export function select(a: number[], k: number, n = a.length): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of `a[0..n)`; rearranges `a`. */
export function medianInPlace(a: number[], n = a.length): number {
  if (n === 0) return NaN;
  const upper = select(a, n >> 1, n);
  if (n % 2 === 1) return upper;
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

/** Median and median absolute deviation of the last `n` entries of `values` (not modified). */
export function medianMad(values: readonly number[], n: number, scratch: number[]): { median: number; mad: number } {
  const start = Math.max(0, values.length - n);
  const count = values.length - start;
  for (let i = 0; i < count; i++) scratch[i] = values[start + i]!;
  const median = medianInPlace(scratch, count);
  for (let i = 0; i < count; i++) scratch[i] = Math.abs(scratch[i]! - median);
  const mad = medianInPlace(scratch, count);
  return { median, mad };
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** P(X > x) for a normal distribution with this mean and standard deviation. */
export function normalTail(x: number, mean: number, sd: number): number {
  return 0.5 * erfc((x - mean) / (sd * Math.SQRT2));
}

/** Index of the first entry of ascending `sorted` that is ≥ x. */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts x into ascending `sorted`, keeping it sorted. */
export function insertSorted(sorted: number[], x: number): void {
  sorted.splice(lowerBound(sorted, x), 0, x);
}

/** Removes one entry equal to x from ascending `sorted` (no-op if absent). */
export function removeSorted(sorted: number[], x: number): void {
  const i = lowerBound(sorted, x);
  if (sorted[i] === x) sorted.splice(i, 1);
}

/**
 * How rare `x` is among a history given in ascending order: P(X ≥ x) estimated from the history
 * alone. Up to the largest `share` of the history it is the empirical share at or above x (never
 * below 1/(n+1)); beyond that it is an exponential tail fitted to those largest values (peaks over
 * a threshold, as in Siffer et al. 2017, "Anomaly detection in streams with extreme value theory",
 * with shape 0), so values beyond the largest one seen still rank by how far beyond they are.
 * `minScale` floors the tail's scale (a history of identical values would otherwise make any
 * larger value infinitely rare).
 */
export function tailProbability(sorted: readonly number[], x: number, share: number, minScale: number): number {
  const n = sorted.length;
  if (n < 2) return 1;
  const k = Math.min(n - 1, Math.max(1, Math.ceil(share * n)));
  const threshold = sorted[n - 1 - k]!;
  if (x <= threshold) return (n - lowerBound(sorted, x) + 1) / (n + 1);
  let excess = 0;
  for (let i = n - k; i < n; i++) excess += sorted[i]! - threshold;
  const scale = Math.max(excess / k, minScale);
  return ((k + 1) / (n + 1)) * Math.exp(-(x - threshold) / scale);
}
