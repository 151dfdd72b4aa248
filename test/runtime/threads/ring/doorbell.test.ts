import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Doorbell } from '../../../../runtime/threads/ring/doorbell.ts';
import { RingWriter } from '../../../../runtime/threads/ring/ring-writer.ts';
import { SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';
import { launchWorker } from '../../../../runtime/threads/worker-launcher.ts';
import type { EchoWorkerData } from './fixtures/echo-worker.ts';

const newBell = (): Doorbell => new Doorbell(new Int32Array(Doorbell.allocate()));

/** Rejects if `promise` has not settled within `ms`: a latch, not a delay. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether `promise` is still pending after every callback queued so far has run. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

describe('Doorbell', () => {
  it('doorbell: a ring wakes a pending wait', async () => {
    const bell = newBell();
    bell.prepareSleep();
    const woken = bell.wait();
    expect(await isPending(woken)).toBe(true);
    expect(bell.ring()).toBe(true);
    await within(woken, 5_000, 'wake-up');
    expect(bell.sleeping).toBe(false);
  });

  it('doorbell: ringing an awake owner does nothing', () => {
    const bell = newBell();
    expect(bell.ring()).toBe(false);
    expect(bell.sleeping).toBe(false);
  });

  it('doorbell: many rings during one sleep notify once', () => {
    const buffer = Doorbell.allocate();
    const bell = new Doorbell(new Int32Array(buffer)); // the owner's view
    const other = new Doorbell(new Int32Array(buffer)); // a second producer's view
    bell.prepareSleep();
    expect([bell.ring(), other.ring(), bell.ring(), other.ring()]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('doorbell: wait resolves at once when the ring came between prepareSleep and wait', async () => {
    const bell = newBell();
    bell.prepareSleep();
    bell.ring();
    await within(bell.wait(), 5_000, 'immediate wake-up');
  });

  it('doorbell: cancelSleep turns later rings into no-ops', () => {
    const bell = newBell();
    bell.prepareSleep();
    bell.cancelSleep();
    expect(bell.sleeping).toBe(false);
    expect(bell.ring()).toBe(false);
  });

  it('doorbell: bells on cells of one buffer are independent', () => {
    const cells = new Int32Array(new SharedArrayBuffer(64));
    const first = new Doorbell(cells, 0);
    const second = new Doorbell(cells, 8);
    first.prepareSleep();
    expect(second.sleeping).toBe(false);
    expect(second.ring()).toBe(false);
    expect(first.sleeping).toBe(true);
  });

  it('doorbell: a ring from another thread wakes a waiting owner without blocking its loop', async () => {
    const data: EchoWorkerData = {
      inbound: SpscRing.allocate(4096),
      outbound: SpscRing.allocate(4096),
      workerBell: Doorbell.allocate(),
      mainBell: Doorbell.allocate(),
      spinMicros: 0,
    };
    const worker = launchWorker(new URL('./fixtures/echo-worker.ts', import.meta.url), {
      workerData: data,
    });
    try {
      await within(once(worker, 'message'), 15_000, 'worker ready');
      const bell = new Doorbell(new Int32Array(data.mainBell));
      bell.prepareSleep();
      const woken = bell.wait();
      // The loop keeps turning while the wait is pending: nothing has rung yet.
      expect(await isPending(woken)).toBe(true);
      // The echo worker rings the main bell when it writes the echo back.
      const workerBell = new Doorbell(new Int32Array(data.workerBell));
      new RingWriter(new SpscRing(data.inbound), workerBell).send(new Uint8Array([1, 2, 3]));
      await within(woken, 10_000, 'ring from the worker');
      expect(bell.sleeping).toBe(false);
      expect(new SpscRing(data.outbound).backlog).toBeGreaterThan(0);
    } finally {
      worker.postMessage('stop');
      await within(once(worker, 'exit'), 10_000, 'worker exit');
    }
  });
});
