import type { PID } from '../pid.ts';
import type { Directive } from './supervisor-strategy.ts';

/** Published on the EventStream for every actor failure, with the directive its supervisor applied. */
export class SupervisionEvent {
  constructor(
    readonly child: PID,
    readonly reason: unknown,
    readonly directive: Directive,
    /** The message being processed when the actor failed. */
    readonly message: unknown,
  ) {}
}
