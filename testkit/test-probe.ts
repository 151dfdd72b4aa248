import {
  ManualScheduler,
  Props,
  RingQueue,
  Started,
  TimeoutError,
  Watch,
  type ActorSystem,
  type Context,
  type Headers,
  type PID,
} from '../runtime/index.ts';
import { withTimeout } from './latch.ts';

/** One message a probe received, with what came with it. */
export interface ProbeRecord {
  readonly message: unknown;
  readonly sender: PID | undefined;
  readonly headers: Headers;
}

type Matcher<T> = ((message: unknown) => message is T) | ((message: unknown) => boolean);

/**
 * An actor that records what it receives so a test can assert on it, in order and with timeouts.
 * It ignores its own `Started`. Use `probe.pid` as a sender, a watcher or a parent.
 *
 * @example
 * const probe = TestProbe.spawn(system);
 * system.root.send(probe.pid, 'hello');
 * expect(await probe.expectMessage()).toBe('hello');
 */
export class TestProbe {
  private readonly inbox = new RingQueue<ProbeRecord>();
  private waiter: (() => void) | undefined;
  private lastRecord: ProbeRecord | undefined;
  private context: Context | undefined;

  private constructor(
    readonly system: ActorSystem,
    readonly pid: PID,
  ) {}

  /** Spawns a probe as a top-level actor. */
  static spawn(system: ActorSystem, name?: string): TestProbe {
    // The probe object exists before its actor processes anything: spawning only queues Started.
    const holder: { probe?: TestProbe } = {};
    const props = Props.fromFunc((context) => holder.probe!.record(context)); // set before it runs
    const pid = name === undefined ? system.root.spawn(props) : system.root.spawnNamed(props, name);
    holder.probe = new TestProbe(system, pid);
    return holder.probe;
  }

  /** The sender of the last message taken with `expect*` or `receive`. */
  get lastSender(): PID | undefined {
    return this.lastRecord?.sender;
  }

  /** Headers of the last message taken. */
  get lastHeaders(): Headers | undefined {
    return this.lastRecord?.headers;
  }

  /** Messages received but not yet taken. */
  get pending(): number {
    return this.inbox.length;
  }

  /** Spawns `props` as a child of the probe, so the probe sees its `Terminated` when watched. */
  spawnChild(props: Props, name?: string): PID {
    const context = this.context;
    if (context === undefined)
      throw new Error('the probe has not started yet: await probe.ready()');
    return name === undefined ? context.spawn(props) : context.spawnNamed(props, name);
  }

  /**
   * Makes the probe watch `pid`, at once: anything that happens to `pid` after this call is
   * reported. Its `Terminated` then arrives like any message.
   */
  watch(pid: PID): void {
    this.system.registry.get(pid).sendSystem(pid, new Watch(this.pid));
  }

  /** Resolves once the probe has processed `Started` (needed before `spawnChild`). */
  async ready(timeoutMs = 1_000): Promise<void> {
    // Under a ManualScheduler nothing runs (and no request times out) unless it is stepped.
    const scheduler = this.system.scheduler;
    if (this.context === undefined && scheduler instanceof ManualScheduler)
      scheduler.runUntilIdle();
    if (this.context !== undefined) return;
    await this.system.root.request(this.pid, PING, timeoutMs);
  }

  /** Takes the next message; if `matcher` is given it must match. Rejects on timeout. */
  async expectMessage<T = unknown>(matcher?: Matcher<T>, timeoutMs = 1_000): Promise<T> {
    const record = await this.next(timeoutMs);
    if (matcher !== undefined && !matcher(record.message)) {
      throw new Error(`probe got an unexpected message: ${describe(record.message)}`);
    }
    return record.message as T;
  }

  /** Takes the next message and checks that it is an instance of `type`. */
  async expectInstance<T>(
    type: abstract new (...args: never[]) => T,
    timeoutMs = 1_000,
  ): Promise<T> {
    return this.expectMessage((m): m is T => m instanceof type, timeoutMs);
  }

  /** Fails if a message arrives within `withinMs`. */
  async expectNoMessage(withinMs = 100): Promise<void> {
    try {
      const record = await this.next(withinMs);
      throw new Error(`probe expected no message but got ${describe(record.message)}`);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
    }
  }

  /** Takes the next `count` messages, in order. */
  async receive(count: number, timeoutMs = 1_000): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) out.push((await this.next(timeoutMs)).message);
    return out;
  }

  /** Stops the probe actor. */
  stop(): Promise<void> {
    return this.system.root.stopAsync(this.pid);
  }

  private record(context: Context): void {
    const message = context.message;
    if (message === Started) {
      this.context = context;
      return;
    }
    if (message === PING) {
      context.respond(PING);
      return;
    }
    this.inbox.push({ message, sender: context.sender, headers: context.headers });
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async next(timeoutMs: number): Promise<ProbeRecord> {
    if (this.inbox.length === 0) {
      const arrived = new Promise<void>((resolve) => (this.waiter = resolve));
      await withTimeout(
        arrived,
        timeoutMs,
        () => `probe ${this.pid.toString()} got no message within ${timeoutMs} ms`,
      );
    }
    const record = this.inbox.shift();
    this.lastRecord = record;
    return record;
  }
}

const PING = Symbol('probe ping');

function describe(message: unknown): string {
  if (typeof message === 'object' && message !== null)
    return `${message.constructor.name} ${JSON.stringify(message)}`;
  return String(message);
}
