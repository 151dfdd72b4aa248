/** The spread of one side's measured runs. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Half the min–max range relative to the median: the `±3%` of the printed line. */
  readonly relativeSpread: number;
  readonly runs: number;
}

/** Median, min, max and relative spread of at least one sample. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2; // mid ≥ 1 here
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const relativeSpread = median === 0 ? 0 : (max - min) / 2 / Math.abs(median);
  return { median, min, max, relativeSpread, runs: sorted.length };
}

/** Rounds to four significant digits, for results.json. */
export function significant(value: number, digits = 4): number {
  return value === 0 || !Number.isFinite(value) ? value : Number(value.toPrecision(digits));
}
