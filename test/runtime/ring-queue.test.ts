import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingQueue } from '../../runtime/index.ts';

/** Fills a queue so that its head sits `offset` slots into the backing array. */
function queueWithHeadAt(offset: number): RingQueue<number> {
  const queue = new RingQueue<number>();
  for (let i = 0; i < offset; i++) queue.push(-1);
  for (let i = 0; i < offset; i++) queue.shift();
  return queue;
}

describe('RingQueue', () => {
  it('ring queue: push then shift returns items first in, first out', () => {
    const queue = new RingQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.push('c');
    expect(queue.length).toBe(3);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['a', 'b', 'c']);
    expect(queue.length).toBe(0);
  });

  it('ring queue: pushFront makes an item the next one shifted', () => {
    const queue = new RingQueue<string>();
    queue.push('b');
    queue.pushFront('a');
    queue.push('c');
    queue.pushFront('first');
    expect(queue.drain()).toEqual(['first', 'a', 'b', 'c']);
  });

  it('ring queue: pushFront on a fresh queue allocates and keeps order', () => {
    const queue = new RingQueue<number>();
    for (let i = 0; i < 10; i++) queue.pushFront(i);
    expect(queue.drain()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('ring queue: peek shows the front without removing it, and undefined when empty', () => {
    const queue = new RingQueue<number>();
    expect(queue.peek()).toBeUndefined();
    queue.push(1);
    queue.push(2);
    expect(queue.peek()).toBe(1);
    expect(queue.length).toBe(2);
    queue.shift();
    expect(queue.peek()).toBe(2);
    queue.shift();
    expect(queue.peek()).toBeUndefined();
  });

  it('ring queue: drain returns every item in order and leaves the queue empty and reusable', () => {
    const queue = new RingQueue<number>();
    for (let i = 0; i < 6; i++) queue.push(i);
    queue.shift();
    expect(queue.drain()).toEqual([1, 2, 3, 4, 5]);
    expect(queue.length).toBe(0);
    expect(queue.drain()).toEqual([]);
    queue.push(42);
    expect(queue.peek()).toBe(42);
    expect(queue.drain()).toEqual([42]);
  });

  it('ring queue: grows while the items wrap around the end of the backing array', () => {
    // Head at 3 of a 4-slot array: the next pushes wrap to slot 0 before the queue grows.
    const queue = queueWithHeadAt(3);
    for (let i = 0; i < 4; i++) queue.push(i);
    for (let i = 4; i < 37; i++) queue.push(i);
    expect(queue.length).toBe(37);
    expect(queue.drain()).toEqual(Array.from({ length: 37 }, (_, i) => i));
  });

  it('ring queue: grows while pushFront has wrapped the head below index zero', () => {
    const queue = new RingQueue<number>();
    queue.push(2);
    queue.push(3);
    queue.pushFront(1);
    queue.pushFront(0);
    // Full at capacity 4 with the head wrapped; the next insertions force growth.
    queue.pushFront(-1);
    queue.push(4);
    expect(queue.drain()).toEqual([-1, 0, 1, 2, 3, 4]);
  });

  it('ring queue: shifted slots are cleared so the queue does not retain removed items', () => {
    const queue = new RingQueue<object>();
    const item = {};
    queue.push(item);
    queue.shift();
    const slots = (queue as unknown as { items: unknown[] }).items;
    expect(slots.includes(item)).toBe(false);
  });

  it('ring queue: behaves like an array under random push, pushFront and shift', () => {
    type Op =
      { kind: 'push'; value: number } | { kind: 'pushFront'; value: number } | { kind: 'shift' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('pushFront' as const), value: fc.integer() }),
      fc.constant({ kind: 'shift' as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new RingQueue<number>();
        const model: number[] = [];
        for (const o of ops) {
          if (o.kind === 'push') {
            queue.push(o.value);
            model.push(o.value);
          } else if (o.kind === 'pushFront') {
            queue.pushFront(o.value);
            model.unshift(o.value);
          } else if (model.length > 0) {
            expect(queue.shift()).toBe(model.shift());
          }
          expect(queue.length).toBe(model.length);
          expect(queue.peek()).toBe(model[0]);
        }
        expect(queue.drain()).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });
});
