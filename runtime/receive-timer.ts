import { InvalidConfigError } from './errors.ts';
import { unwrapMessage } from './message-envelope.ts';
import { isNotInfluenceReceiveTimeout } from './messages.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';
import { ReceiveTimeoutTick } from './system-messages.ts';

/**
 * An actor's receive timeout. Influencing messages only record the time; the one timer checks on
 * expiry whether the actor really was idle and re-arms for the rest if not, so a busy actor costs
 * one clock read per message instead of a timer reset.
 *
 *   set(ms) ─▶ timer ─▶ tick posted to the system queue ─▶ onTick: idle ≥ ms? fire : re-arm
 *
 * A tick carries the identity of the timer that posted it: ticks of replaced timers are ignored.
 */
export class ReceiveTimer {
  /** The timeout in ms; 0 when none is set. */
  ms = 0;
  private lastActivity = 0;
  private timer: TimerHandle | undefined;
  private pendingTick: ReceiveTimeoutTick | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly post: (tick: ReceiveTimeoutTick) => void,
  ) {}

  /** Sets (or replaces) the timeout, counting idleness from now. */
  set(ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      throw new InvalidConfigError(`receive timeout must be a positive number of ms, got ${ms}`);
    }
    this.ms = ms;
    this.lastActivity = this.scheduler.now();
    this.disarm();
    this.arm(ms);
  }

  /** Removes the timeout. */
  cancel(): void {
    this.ms = 0;
    this.disarm();
  }

  /** Records activity, unless the message opts out; re-arms after a timeout has fired. */
  touch(message: unknown): void {
    if (this.ms === 0 || isNotInfluenceReceiveTimeout(unwrapMessage(message))) return;
    this.lastActivity = this.scheduler.now();
    if (this.timer === undefined) this.arm(this.ms);
  }

  /** Handles a posted tick; true when the actor has been idle for the whole timeout. */
  onTick(tick: ReceiveTimeoutTick): boolean {
    if (tick !== this.pendingTick) return false;
    this.pendingTick = undefined;
    this.timer = undefined;
    if (this.ms === 0) return false;
    const idle = this.scheduler.now() - this.lastActivity;
    // Timers have millisecond granularity: within 1 ms of due counts as due.
    if (idle + 1 >= this.ms) return true; // fires once per idle period; touch() re-arms
    this.arm(this.ms - idle);
    return false;
  }

  private arm(ms: number): void {
    const tick = new ReceiveTimeoutTick();
    this.pendingTick = tick;
    this.timer = this.scheduler.setTimer(ms, () => this.post(tick));
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.pendingTick = undefined;
  }
}
