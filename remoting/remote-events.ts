/** Published when an outbound connection to another node has completed its handshake. */
export class EndpointConnected {
  constructor(
    readonly address: string,
    /** The other node's system id (a restarted node has a new one). */
    readonly systemId: string,
  ) {}
}

/**
 * Published when remoting gives up on a node: it refused us, blocked us, or could not be reached
 * within the retry budget. Messages queued for it became dead letters, requests to it failed with
 * `ERR_ADDRESS_TERMINATED`, and local watchers of its actors received `Terminated` with
 * `AddressTerminated`. A later send to the address starts a new endpoint.
 */
export class EndpointTerminated {
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {}
}
