/** Count, mean, median and 90th percentile of a list of durations in seconds; `null`s when the list is empty. */
export interface DurationSummary {
  count: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export function summariseDurations(values: readonly number[]): DurationSummary {
  if (values.length === 0) return { count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    meanSeconds: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    medianSeconds: median(sorted),
    p90Seconds: nearestRank(sorted, 0.9),
  };
}

/** Median of ascending values; an even count gives the mean of the two middle values. */
export function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile of ascending values: the ⌈p·n⌉-th smallest. */
export function nearestRank(sorted: readonly number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}

/** `part ÷ whole × 100` rounded to one decimal, or `null` when `whole` is 0. */
export function percentage(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}
