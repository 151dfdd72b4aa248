import { performance } from 'node:perf_hooks';

/**
 * Round-trip times of one run, in microseconds, kept in a preallocated array so that recording
 * one costs a clock read and a store. Percentiles are read once the run is over.
 */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;
  private sorted = false;
  /** `performance.now()` when the round trip being timed started. */
  startedAt = Number.NaN;

  constructor(capacity: number) {
    this.samples = new Float64Array(capacity);
  }

  /** Starts timing one round trip. */
  begin(): void {
    this.startedAt = performance.now();
  }

  /** Ends the round trip begun last and records its time. */
  end(): void {
    this.samples[this.count++] = (performance.now() - this.startedAt) * 1000;
  }

  /** Round trips recorded. */
  get length(): number {
    return this.count;
  }

  /** The `p`-th percentile (0 < p ≤ 100) of the recorded times, in microseconds. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const recorded = this.samples.subarray(0, this.count);
    if (!this.sorted) {
      recorded.sort();
      this.sorted = true;
    }
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1));
    return recorded[rank]!; // 0 <= rank < count
  }
}
