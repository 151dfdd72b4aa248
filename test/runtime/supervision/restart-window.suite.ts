import { expect, it } from 'vitest';
import type {
  Directive,
  PID,
  RestartStatistics,
  Supervisor,
  SupervisorStrategy,
} from '../../../runtime/index.ts';
import { countingWorker, failRepeatedly, isAlive, parentProps } from '../helpers.ts';
import { systemFixture } from '../system-fixture.ts';

/** Delegates to a strategy and records the failure count its statistics hold afterwards. */
class CountingStrategy implements SupervisorStrategy {
  readonly recorded: number[] = [];
  readonly directives: Directive[] = [];

  constructor(private readonly inner: SupervisorStrategy) {}

  handleFailure(
    supervisor: Supervisor,
    child: PID,
    stats: RestartStatistics,
    reason: unknown,
    message: unknown,
  ): Directive {
    const directive = this.inner.handleFailure(supervisor, child, stats, reason, message);
    this.recorded.push(stats.failureCount);
    this.directives.push(directive);
    return directive;
  }
}

/**
 * Registers the restart-window test that every strategy keeping restart statistics must pass,
 * named `<prefix>: …`. `strategy` builds the strategy under test with the default decider (restart).
 *
 * @example
 * restartWindowSuite('one-for-one', (maxRetries, withinMs) =>
 *   new OneForOneStrategy(undefined, maxRetries, withinMs));
 */
export function restartWindowSuite(
  prefix: string,
  strategy: (maxRetries: number, withinMs: number) => SupervisorStrategy,
): void {
  const systems = systemFixture();

  it(`${prefix}: recording a failure forgets the failures older than the window`, () => {
    const v = systems.virtual();
    const counting = new CountingStrategy(strategy(3, 1_000));
    v.system.root.spawnNamed(parentProps([], 'p', [['c', countingWorker([], 'c')]], counting), 'p');
    v.scheduler.runUntilIdle();
    failRepeatedly(v, 'p/c', 6, 600);
    // Failures 600 ms apart with a 1 s window: never more than two are worth remembering.
    expect(counting.recorded).toEqual([1, 2, 2, 2, 2, 2]);
    expect(counting.directives).toEqual(Array(6).fill('restart'));
    expect(isAlive(v.system, 'p/c')).toBe(true);
  });
}
