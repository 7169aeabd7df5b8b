/** Searches in ascending arrays, shared by every layer (no imports). */

/** Index of the first entry of the ascending `sorted` that is ≥ value (sorted.length if none). */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
