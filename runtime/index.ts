/** The public door of the actor runtime. */
export { ActorSystem, type ActorSystemConfig, type ActorSystemOptions } from './actor-system.ts';
export type { Actor, Producer, Receive } from './actor.ts';
export type { Context, RequestOptions, SendOptions, Settled, SpawnerContext } from './context.ts';
export { RootContext } from './root-context.ts';
export { PID, LOCAL_ADDRESS } from './pid.ts';
export type { Process } from './process.ts';
export { RingQueue } from './ring-queue.ts';
export { ProcessRegistry, type ProcessResolver } from './process-registry.ts';
export { Props } from './props.ts';
export {
  Mailbox,
  type MailboxOptions,
  type MailboxSettings,
  type MailboxStatistics,
  type OverflowPolicy,
} from './mailbox.ts';
export {
  EMPTY_HEADERS,
  isEnvelope,
  MessageEnvelope,
  unwrapMessage,
  unwrapSender,
  type Headers,
} from './message-envelope.ts';
export {
  DeadLetterResponse,
  PoisonPill,
  PoisonPillMessage,
  ReceiveTimeout,
  ReceiveTimeoutMessage,
  Restarting,
  RestartingMessage,
  Started,
  StartedMessage,
  Stopped,
  StoppedMessage,
  Stopping,
  StoppingMessage,
  Terminated,
  type NotInfluenceReceiveTimeout,
  type TerminatedReason,
} from './messages.ts';
export {
  composeMiddleware,
  type ReceiveMiddleware,
  type Sender,
  type SenderContext,
  type SenderMiddleware,
  type SpawnMiddleware,
  type Spawner,
} from './middleware.ts';
export { Unwatch, Watch } from './system-messages.ts';
export { DeadLetterEvent, type DeadLetterReason } from './dead-letter-process.ts';
export { EventStream, type Subscription } from './event-stream.ts';
export type { Runnable, Scheduler, TimerHandle } from './scheduler.ts';
export { EventLoopScheduler } from './schedulers/event-loop-scheduler.ts';
export { ManualScheduler } from './schedulers/manual-scheduler.ts';
export { OneForOneStrategy } from './supervision/one-for-one-strategy.ts';
export { AllForOneStrategy } from './supervision/all-for-one-strategy.ts';
export {
  ExponentialBackoffStrategy,
  type BackoffOptions,
} from './supervision/exponential-backoff-strategy.ts';
export { RestartStatistics } from './supervision/restart-statistics.ts';
export { SupervisionEvent } from './supervision/supervision-event.ts';
export {
  restartDecider,
  type Decider,
  type Directive,
  type Supervisor,
  type SupervisorStrategy,
} from './supervision/supervisor-strategy.ts';
export { createLogger, type Logger } from './logger.ts';
export { RUNTIME_DEFAULTS } from './runtime-config.ts';
export { defaultKinds, defineKind, KindRegistry } from './kinds.ts';
export { deliverFromPeer } from './peer-delivery.ts';
export { PeerWatches } from './peer-watches.ts';
export { Placement } from './placement.ts';
export type { ThreadRouter } from './thread-router.ts';
export { ActorNode, type ActorNodeOptions } from './threads/actor-node.ts';
export { ThreadCrashed } from './threads/thread-events.ts';
export type { ThreadStats } from './threads/thread-hub.ts';
export { THREADS_DEFAULTS } from './threads/threads-config.ts';
export { launchWorker } from './threads/worker-launcher.ts';
export type { OffloadPool, OffloadRunOptions, OffloadStats } from './offload/offload-pool.ts';
export {
  PiscinaOffloadPool,
  type PiscinaOffloadPoolOptions,
} from './offload/piscina-offload-pool.ts';
export type { Codec, Constructor } from './serialization/codec.ts';
export { CodecRegistry, codecFailure, defaultCodecs } from './serialization/codec-registry.ts';
export { ByteReader } from './serialization/byte-reader.ts';
export { ByteWriter, varuintSize, writeVaruintAt } from './serialization/byte-writer.ts';
export {
  AddressTerminatedError,
  ConnectFailedError,
  ConnectionLostError,
  DeadLetterError,
  DecodeError,
  FrameTooLargeError,
  PlacementError,
  SerializationError,
  ThreadCrashedError,
  UnknownKindError,
  InvalidConfigError,
  InvalidNameError,
  MailboxFullError,
  NameExistsError,
  SpindleError,
  type ErrorOptions,
  SystemStoppedError,
  TimeoutError,
  TransportClosedError,
} from './errors.ts';
