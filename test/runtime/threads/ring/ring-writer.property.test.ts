import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../../runtime/serialization/byte-writer.ts';
import { Doorbell } from '../../../../runtime/threads/ring/doorbell.ts';
import { RingReader } from '../../../../runtime/threads/ring/ring-reader.ts';
import { RingWriter } from '../../../../runtime/threads/ring/ring-writer.ts';
import { SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';

/** One step: the producer sends or flushes, the consumer reads, or the task ends. */
type Step =
  | { readonly kind: 'send'; readonly size: number; readonly words: boolean }
  | { readonly kind: 'flush' }
  | { readonly kind: 'read'; readonly max: number }
  | { readonly kind: 'yield' };

function frameOf(size: number, seed: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (seed * 151 + i * 19) & 0xff;
  return frame;
}

const newBell = (): Doorbell => new Doorbell(new Int32Array(Doorbell.allocate()));

function steps(capacity: number): fc.Arbitrary<Step[]> {
  const size = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 80 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * capacity }) },
  );
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ kind: fc.constant('send' as const), size, words: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'flush' }) },
    {
      weight: 3,
      arbitrary: fc.integer({ min: 1, max: 20 }).map((max): Step => ({ kind: 'read', max })),
    },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'yield' }) },
  );
  return fc.array(step, { maxLength: 300 });
}

describe('RingWriter properties', () => {
  it('ring writer: under any mix of sends, flushes, reads and task ends, frames arrive once, in order', async () => {
    const scenario = fc
      .constantFrom(1024, 4096)
      .chain((capacity) => fc.record({ capacity: fc.constant(capacity), steps: steps(capacity) }));
    await fc.assert(
      fc.asyncProperty(scenario, async ({ capacity, steps: plan }) => {
        const buffer = SpscRing.allocate(capacity);
        const writer = new RingWriter(new SpscRing(buffer), newBell());
        const reader = new RingReader(new SpscRing(buffer), newBell());
        const sent: Uint8Array[] = [];
        const received: Uint8Array[] = [];
        const collect = (frame: Uint8Array): void => void received.push(frame.slice());
        const encoded = new ByteWriter(64);
        for (const step of plan) {
          if (step.kind === 'send') {
            const frame = frameOf(step.size, sent.length);
            sent.push(frame);
            encoded.reset();
            encoded.raw(frame);
            encoded.u32(0xffffffff); // after the frame: must never travel
            writer.send(encoded.buffer, step.size, step.words ? encoded.words : undefined);
          } else if (step.kind === 'flush') {
            writer.flush();
          } else if (step.kind === 'read') {
            expect(reader.read(collect, step.max)).toBeLessThanOrEqual(step.max);
          } else {
            await Promise.resolve();
          }
          expect(received.length).toBeLessThanOrEqual(sent.length);
        }
        for (let guard = 0; !writer.flush(); guard++) {
          expect(guard).toBeLessThan(100_000);
          reader.read(collect, 5);
        }
        reader.read(collect, Number.MAX_SAFE_INTEGER);
        expect(received).toEqual(sent);
        expect(reader.isEmpty()).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
