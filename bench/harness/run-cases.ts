import type { BenchCase, Subject, Trial } from './bench-case.ts';
import { VerificationError } from './completion.ts';
import { collectGarbage } from './measure.ts';
import { caseResult, formatLine, type CaseResult } from './report.ts';
import { summarize } from './statistics.ts';

const DEFAULT_RUNS = 5;
const MIN_RUNS = 3;
const DEFAULT_WARMUP = 2;
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Measures every case of a module in order, printing one line per case and handing each result to
 * `onResult` as soon as it is known. Subject and baseline runs alternate (and swap who goes first
 * each round), so that a burst of load on a shared machine falls on both sides rather than one.
 */
export async function runCases(
  cases: readonly BenchCase[],
  onResult: (result: CaseResult) => void | Promise<void> = () => {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const benchCase of cases) {
    const result = await runCase(benchCase);
    console.log(formatLine(benchCase, result));
    await onResult(result);
    results.push(result);
  }
  return results;
}

async function runCase(benchCase: BenchCase): Promise<CaseResult> {
  const runs = Math.max(MIN_RUNS, runsFromEnv() ?? benchCase.runs ?? DEFAULT_RUNS);
  const warmup = benchCase.warmup ?? DEFAULT_WARMUP;
  const timeoutMs = benchCase.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const collect = benchCase.collectBeforeRun ?? false;
  const { subject, baseline } = benchCase;
  const ours: number[] = [];
  const theirs: number[] = [];
  const notes: (string | undefined)[] = [];
  await subject.setup?.();
  await baseline.setup?.();
  try {
    for (let i = 0; i < warmup; i++) {
      await once(subject, `${benchCase.name} (warm-up)`, timeoutMs, collect);
      await once(baseline, `${benchCase.name} baseline (warm-up)`, timeoutMs, collect);
    }
    for (let i = 0; i < runs; i++) {
      const subjectFirst = i % 2 === 0;
      if (!subjectFirst)
        theirs.push((await once(baseline, baselineLabel(benchCase), timeoutMs, collect)).value);
      const trial = await once(subject, benchCase.name, timeoutMs, collect);
      ours.push(trial.value);
      notes.push(trial.note);
      if (subjectFirst)
        theirs.push((await once(baseline, baselineLabel(benchCase), timeoutMs, collect)).value);
    }
  } finally {
    await baseline.teardown?.();
    await subject.teardown?.();
  }
  if (process.env['BENCH_VERBOSE'] === '1') {
    console.log(`  ${benchCase.name} samples: ${ours.map(round).join(' ')}`);
    console.log(`  ${benchCase.baseline.name} samples: ${theirs.map(round).join(' ')}`);
  }
  const summary = summarize(ours);
  return caseResult(benchCase, summary, summarize(theirs), notes[closestTo(ours, summary.median)]);
}

/** Index of the sample nearest `median`: its note describes the printed figure best. */
function closestTo(samples: readonly number[], median: number): number {
  let best = 0;
  for (let i = 1; i < samples.length; i++) {
    if (Math.abs(samples[i]! - median) < Math.abs(samples[best]! - median)) best = i;
  }
  return best;
}

function baselineLabel(benchCase: BenchCase): string {
  return `${benchCase.name} baseline ${benchCase.baseline.name}`;
}

/** One verified run: a delivery mismatch is an error, not a figure. */
async function once(
  subject: Subject,
  label: string,
  timeoutMs: number,
  collect: boolean,
): Promise<Trial> {
  if (collect) collectGarbage();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new VerificationError(`${label}: the run did not finish in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  let trial: Trial;
  try {
    trial = await Promise.race([subject.run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (trial.delivered !== trial.sent) {
    throw new VerificationError(`${label}: delivered ${trial.delivered} but sent ${trial.sent}`);
  }
  if (!Number.isFinite(trial.value) || trial.value <= 0) {
    throw new VerificationError(`${label}: the run produced no usable figure (${trial.value})`);
  }
  return trial;
}

function round(value: number): string {
  return value.toPrecision(3);
}

function runsFromEnv(): number | undefined {
  const raw = process.env['BENCH_RUNS'];
  if (raw === undefined || raw === '') return undefined;
  const runs = Number(raw);
  return Number.isInteger(runs) && runs > 0 ? runs : undefined;
}
