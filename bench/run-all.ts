import { fork } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchModule, NodeSettings } from './harness/bench-case.ts';
import type { ChildMessage } from './harness/child.ts';

/**
 * `npm run bench [-- <name filter>...]`: runs every `bench/*.bench.ts` (or those whose file name
 * contains a filter) in its own child process, so each starts on a fresh heap, prints each
 * figure's line as the child measures it, and writes the figures to `bench/results.json`. A
 * filtered run updates only its own rows. Any failed run makes the exit code non-zero.
 *
 * Environment: `BENCH_RUNS` (measured runs per side), `BENCH_VERBOSE=1` (print every sample),
 * `BENCH_CASE` (keep cases whose name contains it), `BENCH_NODE_FLAGS` (extra node flags for the
 * children, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const resultsPath = join(benchDir, 'results.json');
const childEntry = join(benchDir, 'harness', 'child.ts');

interface ChildOutcome {
  readonly figures: BenchFigure[];
  readonly errors: string[];
}

const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .map((f) => join(benchDir, f));

if (files.length === 0) {
  console.error(`no bench/*.bench.ts matches ${filters.join(', ')}`);
  process.exit(1);
}

const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(`node ${process.version}, ${cpus().length} CPUs, load average ${load}`);

const figures: BenchFigure[] = [];
const failures: string[] = [];
for (const file of files) {
  const name = basename(file, '.bench.ts');
  console.log(`\n${name}`);
  const module = (await import(pathToFileURL(file).href)) as BenchModule;
  const outcome = await runChild(file, childArgs(module.node ?? {}));
  figures.push(...outcome.figures);
  failures.push(...outcome.errors.map((e) => `${name}: ${e}`));
}

const written = filters.length === 0 ? figures : mergeInto(readPrevious(), figures);
writeFileSync(resultsPath, `${JSON.stringify(written, null, 2)}\n`);
console.log(`\n${figures.length} figures written to bench/results.json`);
if (failures.length > 0) {
  console.error(`\n${failures.length} benchmark(s) failed:`);
  for (const failure of failures) console.error(`  ${failure}`);
  process.exitCode = 1;
}

function childArgs(settings: NodeSettings): string[] {
  const args = ['--import', 'tsx', '--expose-gc'];
  if (settings.heapMb !== undefined) args.push(`--max-old-space-size=${settings.heapMb}`);
  args.push(...(settings.flags ?? []));
  const extra = process.env['BENCH_NODE_FLAGS'];
  if (extra !== undefined) args.push(...extra.split(/\s+/).filter((f) => f !== ''));
  return args;
}

function runChild(file: string, execArgv: string[]): Promise<ChildOutcome> {
  const outcome: ChildOutcome = { figures: [], errors: [] };
  const env = { ...process.env, SPINDLE_LOG_LEVEL: process.env['SPINDLE_LOG_LEVEL'] ?? 'warn' };
  const child = fork(childEntry, [file], { cwd: repoRoot, execArgv, env, stdio: 'inherit' });
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'figure') outcome.figures.push(message.figure);
    else outcome.errors.push(message.message);
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      if (code !== 0 && outcome.errors.length === 0) {
        outcome.errors.push(`child exited with ${signal ?? `code ${code}`}`);
      }
      resolve(outcome);
    });
  });
}

function readPrevious(): BenchFigure[] {
  if (!existsSync(resultsPath)) return [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(resultsPath, 'utf8'));
    return Array.isArray(parsed) ? (parsed as BenchFigure[]) : [];
  } catch {
    return [];
  }
}

/** Replaces rows with the same name in place and appends new ones. */
function mergeInto(previous: BenchFigure[], fresh: BenchFigure[]): BenchFigure[] {
  const byName = new Map(fresh.map((f) => [f.name, f]));
  const merged = previous.map((p) => byName.get(p.name) ?? p);
  const known = new Set(previous.map((p) => p.name));
  return [...merged, ...fresh.filter((f) => !known.has(f.name))];
}
