/** The public door of remoting. */
export { Remote, type AddressableNode } from './remote.ts';
export type { RemoteOptions, RemoteTlsOptions } from './remote-options.ts';
export { REMOTING_DEFAULTS } from './remoting-config.ts';
export { BlockList } from './block-list.ts';
export { EndpointConnected, EndpointTerminated } from './remote-events.ts';
export { RemoteMetrics, type RemoteMetricsSnapshot } from './remote-metrics.ts';
export { UndecodableMessage } from './envelope-delivery.ts';
export { SpawnRequest, SpawnResponse } from './remote-activator.ts';
export type {
  CloseReason,
  Connection,
  ConnectionHandlers,
  Transport,
  TransportOptions,
} from './transport.ts';
export { TcpTransport, type TcpTransportOptions } from './transports/tcp/tcp-transport.ts';
export { GrpcTransport, type GrpcTransportOptions } from './transports/grpc/grpc-transport.ts';
