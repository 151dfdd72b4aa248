import type { PID } from './pid.ts';

/** String headers carried beside a message (tracing ids, auth context); never mutated in flight. */
export type Headers = Readonly<Record<string, string>>;

/** No headers: shared so that header-less messages allocate nothing. */
export const EMPTY_HEADERS: Headers = Object.freeze({});

/**
 * A message with its sender and headers. Allocated only when a message has either; a bare
 * message travels unwrapped, which keeps the common `send` path allocation-free.
 */
export class MessageEnvelope {
  constructor(
    readonly message: unknown,
    readonly sender: PID | undefined,
    readonly headers: Headers,
  ) {}
}

/** The payload of a possibly wrapped message. */
export function unwrapMessage(message: unknown): unknown {
  return message instanceof MessageEnvelope ? message.message : message;
}

/** The sender of a possibly wrapped message. */
export function unwrapSender(message: unknown): PID | undefined {
  return message instanceof MessageEnvelope ? message.sender : undefined;
}
