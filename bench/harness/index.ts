/** The benchmark harness: what `bench/<topic>.bench.ts` modules import. */
export type {
  Baseline,
  BenchCase,
  BenchFigure,
  BenchModule,
  Better,
  NodeSettings,
  Subject,
  Target,
  Trial,
} from './bench-case.ts';
export { Completion, VerificationError, settle } from './completion.ts';
export {
  Stopwatch,
  canCollectGarbage,
  collectGarbage,
  formatMs,
  settledHeapUsed,
  throughputTrial,
} from './measure.ts';
export { summarize, type Summary } from './statistics.ts';
export { systemSubject } from './system-subject.ts';
