/**
 * What a benchmark module declares. A module (`bench/<topic>.bench.ts`) exports `cases`, and
 * optionally `node`; the runner executes each module in its own child process.
 *
 *   case ──▶ warm-up runs ──▶ N measured runs, subject and baseline alternating
 *        ──▶ median, min–max, relative spread ──▶ one printed line, one results.json row
 */

/** The outcome of one run: the figure, and the counts that prove the run completed. */
export interface Trial {
  /** The measured figure in the case's unit. */
  readonly value: number;
  /** How many messages (or replies, or actors) the run sent or created. */
  readonly sent: number;
  /** How many of them arrived; any difference makes the run an error, not a figure. */
  readonly delivered: number;
  /** A short extra detail printed under the case line (phase split, for example). */
  readonly note?: string;
}

/** One side of a case: set up once, run several times, torn down once. */
export interface Subject {
  setup?(): void | Promise<void>;
  run(): Promise<Trial>;
  teardown?(): void | Promise<void>;
}

/** The reference a figure is compared with, measured in the same process and run. */
export interface Baseline extends Subject {
  /** Short name printed in the table, such as `ring-loop`. */
  readonly name: string;
}

/** Which direction of a figure is good: throughput is `higher`, time and memory `lower`. */
export type Better = 'higher' | 'lower';

/** A goal to report against: either the figure itself or its ratio to the baseline. */
export interface Target {
  readonly of: 'value' | 'ratio';
  readonly op: '>=' | '<=';
  readonly limit: number;
}

/** One figure: our subject and its baseline, measured alternately. */
export interface BenchCase {
  /** Figure name, unique across all modules (`ping-pong 100 pairs`). */
  readonly name: string;
  /** Unit of `Trial.value` (`M msg/s`, `ms`, `B/actor`). */
  readonly unit: string;
  readonly better: Better;
  readonly target?: Target;
  /** Measured runs per side (at least 3; default 5; `BENCH_RUNS` overrides). */
  readonly runs?: number;
  /** Unmeasured runs per side before measuring (default 2). */
  readonly warmup?: number;
  /** Milliseconds one run may take before it counts as not completed (default 120 000). */
  readonly timeoutMs?: number;
  /**
   * Run a full GC before each run (default false). Only for cases that leave a large heap behind
   * (skynet): a forced GC also shrinks the young generation back to its minimum, so the next run
   * promotes far more than in steady state and allocation-heavy figures drop by half.
   */
  readonly collectBeforeRun?: boolean;
  readonly subject: Subject;
  readonly baseline: Baseline;
}

/** Node settings of the child process that runs a module. */
export interface NodeSettings {
  /** `--max-old-space-size` in MiB. */
  readonly heapMb?: number;
  /** Extra node flags, such as `--max-semi-space-size=64`. */
  readonly flags?: readonly string[];
}

/** The shape of a `*.bench.ts` module; it must have no side effects at import time. */
export interface BenchModule {
  readonly cases: readonly BenchCase[];
  readonly node?: NodeSettings;
}

/** One row of `bench/results.json`; `value` and `baselineValue` are medians. */
export interface BenchFigure {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly baseline: string;
  readonly baselineValue: number;
  /** `value / baselineValue`: above 1 means a larger figure than the baseline's. */
  readonly ratio: number;
}
