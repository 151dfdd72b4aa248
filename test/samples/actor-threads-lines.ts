/** What samples/actor-threads prints, whether run from source or from the built package. */
export const ACTOR_THREADS_LINES: readonly string[] = [
  'main: node started with 2 worker threads',
  'main: counter for apple placed on worker slot 1',
  'main: counter for banana placed on worker slot 2',
  'main: counter for cherry placed on worker slot 1',
  'main: counter for damson placed on worker slot 2',
  'main: apple counted 20000 on a worker (true)',
  'main: banana counted 20000 on a worker (true)',
  'main: cherry counted 20000 on a worker (true)',
  'main: damson counted 20000 on a worker (true)',
  'main: 80 milestones arrived through the bridged EventStream',
  'main: the offload pool hashed "spindle" to f2092a266edf1db8',
  'main: 3 threads report stats',
  'main: node stopped',
];
