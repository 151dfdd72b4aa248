import { DeadLetterError, TimeoutError } from './errors.ts';
import { unwrapMessage } from './message-envelope.ts';
import { DeadLetterResponse, Terminated } from './messages.ts';
import { PID } from './pid.ts';
import type { Process } from './process.ts';
import type { ProcessRegistry } from './process-registry.ts';
import type { Expirable, TimeoutQueue, Timeouts } from './timeout-queue.ts';

/**
 * The process behind a pending `request` (or `stopAsync`): it has a PID of its own so that the
 * answer can come from anywhere a PID reaches, settles its promise once, and unregisters itself.
 * A `DeadLetterResponse` fails it fast with `DeadLetterError` instead of waiting for the timeout.
 */
export class FutureProcess implements Process, Expirable {
  dead = false;
  readonly pid: PID;
  readonly promise: Promise<unknown>;
  deadline = 0;
  prevExpirable: Expirable | undefined = undefined;
  nextExpirable: Expirable | undefined = undefined;
  expiryQueue: TimeoutQueue | undefined = undefined;
  private resolve!: (value: unknown) => void; // assigned synchronously by the Promise executor
  private reject!: (error: unknown) => void; // likewise

  constructor(
    private readonly registry: ProcessRegistry,
    private readonly timeouts: Timeouts,
    private readonly timeoutMs: number,
    /** What is awaited (`request to`); the target is formatted only when an error is built. */
    private readonly what: string,
    /** Whom the future waits on: a request's target, or the actor whose termination it awaits. */
    readonly target: PID,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.pid = new PID(registry.address, registry.generatedId());
    registry.register(this.pid, this);
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) timeouts.add(this, timeoutMs);
  }

  sendUser(_pid: PID, message: unknown): void {
    const payload = unwrapMessage(message);
    // A constructor test, not instanceof (see isEnvelope): this runs for every reply.
    if (isObject(payload) && payload.constructor === DeadLetterResponse)
      this.fail(new DeadLetterError((payload as DeadLetterResponse).target.toString()));
    else this.complete(payload);
  }

  sendSystem(_pid: PID, message: unknown): void {
    if (message instanceof Terminated) this.complete(message);
  }

  sendStop(): void {
    this.fail(new TimeoutError(`${this.describe()} was cancelled`));
  }

  expire(): void {
    this.fail(new TimeoutError(`${this.describe()} timed out after ${this.timeoutMs} ms`));
  }

  private describe(): string {
    return `${this.what} ${this.target.toString()}`;
  }

  private complete(value: unknown): void {
    if (this.settle()) this.resolve(value);
  }

  /** Rejects the promise with `error` and unregisters, unless already settled. */
  fail(error: unknown): void {
    if (this.settle()) this.reject(error);
  }

  private settle(): boolean {
    if (this.dead) return false;
    this.dead = true;
    this.registry.remove(this.pid);
    this.timeouts.remove(this);
    return true;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
