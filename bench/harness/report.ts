import type { BenchCase, BenchFigure, Target } from './bench-case.ts';
import { significant, type Summary } from './statistics.ts';

/** Everything measured for one case: both summaries and the figure written to results.json. */
export interface CaseResult {
  readonly figure: BenchFigure;
  readonly subject: Summary;
  readonly baseline: Summary;
  /** Undefined when the case has no target. */
  readonly targetMet: boolean | undefined;
  readonly note: string | undefined;
}

/** Builds the result of a case from its two summaries. */
export function caseResult(
  benchCase: BenchCase,
  subject: Summary,
  baseline: Summary,
  note: string | undefined,
): CaseResult {
  const ratio = subject.median / baseline.median;
  const figure: BenchFigure = {
    name: benchCase.name,
    unit: benchCase.unit,
    value: significant(subject.median),
    baseline: benchCase.baseline.name,
    baselineValue: significant(baseline.median),
    ratio: significant(ratio, 3),
  };
  const target = benchCase.target;
  const targetMet =
    target === undefined
      ? undefined
      : meets(target, target.of === 'ratio' ? ratio : subject.median);
  return { figure, subject, baseline, targetMet, note };
}

/**
 * One compact table line per figure, for example:
 *
 *   tell                 18.2 M msg/s ±3% [17.7–18.8]  baseline ring-loop 40.1 M msg/s ±2%
 *                        ratio 0.45  target ratio >= 0.35 ok
 *
 * (on one line; wrapped here for width).
 */
export function formatLine(benchCase: BenchCase, result: CaseResult): string {
  const { figure, subject, baseline } = result;
  const unit = benchCase.unit;
  const ours =
    `${formatValue(subject.median)} ${unit} ${formatSpread(subject)} ` +
    `[${formatValue(subject.min)}–${formatValue(subject.max)}]`;
  const base =
    `baseline ${figure.baseline} ${formatValue(baseline.median)} ${unit} ` + formatSpread(baseline);
  const parts = [benchCase.name.padEnd(26), ours.padEnd(38), base, `ratio ${formatRatio(figure)}`];
  const target = benchCase.target;
  if (target !== undefined) {
    const limit = target.of === 'ratio' ? `${target.limit}` : `${target.limit} ${unit}`;
    const verdict = result.targetMet === true ? 'ok' : 'MISSED';
    parts.push(`target ${target.of === 'ratio' ? 'ratio ' : ''}${target.op} ${limit} ${verdict}`);
  }
  const line = parts.join('  ');
  return result.note === undefined ? line : `${line}\n${''.padEnd(28)}${result.note}`;
}

/** Three significant digits at most, and no exponent for the sizes we print. */
export function formatValue(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatSpread(summary: Summary): string {
  return `±${(summary.relativeSpread * 100).toFixed(summary.relativeSpread < 0.1 ? 1 : 0)}%`;
}

function formatRatio(figure: BenchFigure): string {
  return figure.ratio >= 10 ? figure.ratio.toFixed(1) : figure.ratio.toFixed(2);
}

function meets(target: Target, actual: number): boolean {
  return target.op === '>=' ? actual >= target.limit : actual <= target.limit;
}
