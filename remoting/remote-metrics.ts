/** Counters of one node's remoting, read with `remote.metrics.snapshot()`. */
export interface RemoteMetricsSnapshot {
  readonly framesOut: number;
  readonly framesIn: number;
  readonly bytesOut: number;
  readonly bytesIn: number;
  readonly messagesOut: number;
  readonly messagesIn: number;
  /** Envelopes per batch sent, as a histogram: batch size upper bound → batches. */
  readonly batchSizes: Readonly<Record<string, number>>;
  readonly endpointsUp: number;
  readonly endpointsDown: number;
  readonly serializationErrors: number;
  readonly decodeErrors: number;
}

const BATCH_BUCKETS = [1, 10, 100, 1_000, 10_000, Number.POSITIVE_INFINITY];

/**
 * The metrics hooks of remoting: plain counters, cheap on the hot path. `onChange` observers
 * (a prom-client exporter, for instance) are told of endpoint transitions as they happen.
 */
export class RemoteMetrics {
  framesOut = 0;
  framesIn = 0;
  bytesOut = 0;
  bytesIn = 0;
  messagesOut = 0;
  messagesIn = 0;
  endpointsUp = 0;
  endpointsDown = 0;
  serializationErrors = 0;
  decodeErrors = 0;
  private readonly batches = new Array<number>(BATCH_BUCKETS.length).fill(0);

  /** Records one batch frame sent. */
  batchSent(messages: number, bytes: number): void {
    this.framesOut++;
    this.bytesOut += bytes;
    this.messagesOut += messages;
    let bucket = 0;
    while (messages > BATCH_BUCKETS[bucket]!) bucket++; // the last bucket is infinite
    this.batches[bucket]!++;
  }

  /** Records one frame received. */
  frameReceived(bytes: number, messages: number): void {
    this.framesIn++;
    this.bytesIn += bytes;
    this.messagesIn += messages;
  }

  snapshot(): RemoteMetricsSnapshot {
    const batchSizes: Record<string, number> = {};
    BATCH_BUCKETS.forEach((bound, i) => {
      batchSizes[Number.isFinite(bound) ? `<=${bound}` : `>${BATCH_BUCKETS[i - 1]}`] =
        this.batches[i]!;
    });
    return {
      framesOut: this.framesOut,
      framesIn: this.framesIn,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      messagesOut: this.messagesOut,
      messagesIn: this.messagesIn,
      batchSizes,
      endpointsUp: this.endpointsUp,
      endpointsDown: this.endpointsDown,
      serializationErrors: this.serializationErrors,
      decodeErrors: this.decodeErrors,
    };
  }
}
