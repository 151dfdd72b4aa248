import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';

/** One step of the simulation: the producer writes once, or the consumer reads up to `max`. */
type Step = { readonly kind: 'write' } | { readonly kind: 'read'; readonly max: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'write' }),
  fc.integer({ min: 1, max: 8 }).map((max): Step => ({ kind: 'read', max })),
);

/** Frame sizes from 0 to three times the capacity, with the record boundaries made likely. */
function frameSize(capacity: number): fc.Arbitrary<number> {
  const max = capacity / 4 - 4;
  return fc.oneof(
    fc.integer({ min: 0, max: 3 * capacity }),
    fc.integer({ min: 0, max: 64 }),
    fc.constantFrom(0, 1, 3, 4, max - 1, max, max + 1, capacity - 4, capacity, 2 * max + 1),
  );
}

function frameOf(size: number, seed: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (seed * 131 + i * 17) & 0xff;
  return frame;
}

describe('SpscRing properties', () => {
  it('spsc ring: under any interleaving every frame comes out once, in order, byte-exact', () => {
    const scenario = fc.constantFrom(1024, 2048).chain((capacity) =>
      fc.record({
        capacity: fc.constant(capacity),
        sizes: fc.array(frameSize(capacity), { maxLength: 30 }),
        steps: fc.array(step, { maxLength: 200 }),
        seed: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ capacity, sizes, steps, seed }) => {
        const frames = sizes.map((size, i) => frameOf(size, seed + i));
        const buffer = SpscRing.allocate(capacity);
        const producer = new SpscRing(buffer);
        const consumer = new SpscRing(buffer);
        const out: Uint8Array[] = [];
        const collect = (frame: Uint8Array): void => void out.push(frame.slice());
        let next = 0;
        let offset = 0;
        const writeOnce = (): void => {
          const frame = frames[next];
          if (frame === undefined) return;
          offset = producer.write(frame, offset);
          if (offset === frame.length) {
            next++;
            offset = 0;
          }
        };
        const checkBacklog = (): void => {
          expect(producer.backlog).toBeGreaterThanOrEqual(0);
          expect(producer.backlog).toBeLessThanOrEqual(capacity);
        };
        for (const s of steps) {
          if (s.kind === 'write') writeOnce();
          else expect(consumer.read(collect, s.max)).toBeLessThanOrEqual(s.max);
          checkBacklog();
        }
        // Then drain, alternating sides, until every frame is through.
        for (let guard = 0; next < frames.length || !consumer.isEmpty(); guard++) {
          expect(guard).toBeLessThan(10_000);
          writeOnce();
          consumer.read(collect, 3);
          checkBacklog();
        }
        expect(out).toEqual(frames);
      }),
      { numRuns: 200 },
    );
  });
});
