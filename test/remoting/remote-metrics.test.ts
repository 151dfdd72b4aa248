import { describe, expect, it } from 'vitest';
import { RemoteMetrics } from '../../remoting/index.ts';

describe('RemoteMetrics', () => {
  it('remote-metrics: counts frames, bytes and messages, and buckets batch sizes', () => {
    const metrics = new RemoteMetrics();
    metrics.batchSent(1, 40);
    metrics.batchSent(10, 400);
    metrics.batchSent(11, 440);
    metrics.batchSent(50_000, 2_000_000);
    metrics.frameReceived(100, 3);
    const snapshot = metrics.snapshot();
    expect(snapshot).toMatchObject({
      framesOut: 4,
      bytesOut: 2_000_880,
      messagesOut: 50_022,
      framesIn: 1,
      bytesIn: 100,
      messagesIn: 3,
    });
    expect(snapshot.batchSizes).toEqual({
      '<=1': 1,
      '<=10': 1,
      '<=100': 1,
      '<=1000': 0,
      '<=10000': 0,
      '>10000': 1,
    });
  });
});
