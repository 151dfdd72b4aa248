import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventStream } from '../../runtime/index.ts';

class Animal {
  constructor(readonly name: string) {}
}
class Dog extends Animal {}
class Puppy extends Dog {}
class Rock {}

/** Collects every event a handler receives. */
function collector<T = unknown>(): { seen: T[]; handler: (event: T) => void } {
  const seen: T[] = [];
  return { seen, handler: (event) => void seen.push(event) };
}

describe('EventStream', () => {
  it('event stream: a class subscriber receives instances and subclass instances only', () => {
    const stream = new EventStream();
    const animals = collector<Animal>();
    stream.subscribe(Animal, animals.handler);
    const rex = new Dog('rex');
    const bit = new Puppy('bit');
    const cat = new Animal('cat');
    stream.publish(rex);
    stream.publish(new Rock());
    stream.publish(bit);
    stream.publish({ name: 'duck-typed' });
    stream.publish('Animal');
    stream.publish(cat);
    expect(animals.seen).toEqual([rex, bit, cat]);
    expect(animals.seen[0]).toBe(rex);
  });

  it('event stream: a subclass subscriber does not receive base class instances', () => {
    const stream = new EventStream();
    const dogs = collector<Dog>();
    stream.subscribe(Dog, dogs.handler);
    stream.publish(new Animal('cat'));
    const pup = new Puppy('bit');
    stream.publish(pup);
    expect(dogs.seen).toEqual([pup]);
  });

  it('event stream: each matching class subscription receives an event exactly once', () => {
    const stream = new EventStream();
    const seen: string[] = [];
    stream.subscribe(Animal, () => seen.push('animal'));
    stream.subscribe(Dog, () => seen.push('dog'));
    stream.subscribe(Puppy, () => seen.push('puppy'));
    stream.subscribe(Rock, () => seen.push('rock'));
    stream.publish(new Puppy('bit'));
    expect(seen.sort()).toEqual(['animal', 'dog', 'puppy']);
  });

  it('event stream: subscribeWhere delivers only events that satisfy the predicate', () => {
    const stream = new EventStream();
    const big = collector<number>();
    stream.subscribeWhere((e): e is number => typeof e === 'number' && e > 10, big.handler);
    for (const e of [1, 11, 'twelve', 50, null, 10]) stream.publish(e);
    expect(big.seen).toEqual([11, 50]);
  });

  it('event stream: subscribeWhere can filter on fields of class instances', () => {
    const stream = new EventStream();
    const named = collector();
    stream.subscribeWhere((e) => e instanceof Animal && e.name.startsWith('r'), named.handler);
    const rex = new Dog('rex');
    stream.publish(new Dog('fido'));
    stream.publish(rex);
    expect(named.seen).toEqual([rex]);
  });

  it('event stream: subscribeAll receives every event, primitives included', () => {
    const stream = new EventStream();
    const all = collector();
    stream.subscribeAll(all.handler);
    const sym = Symbol('s');
    const dog = new Dog('rex');
    const events = [dog, 0, '', false, null, undefined, 42n, sym, { plain: true }];
    for (const e of events) stream.publish(e);
    expect(all.seen).toEqual(events);
    expect(all.seen[0]).toBe(dog);
  });

  it('event stream: publishing primitives reaches predicate subscribers but no class subscriber', () => {
    const stream = new EventStream();
    const numbers = collector();
    const strings = collector();
    const boxed = collector();
    stream.subscribeWhere((e) => typeof e === 'number', numbers.handler);
    stream.subscribeWhere((e) => typeof e === 'string', strings.handler);
    stream.subscribe(Number, boxed.handler);
    stream.subscribe(String, boxed.handler);
    stream.publish(7);
    stream.publish('hello');
    stream.publish(0);
    expect(numbers.seen).toEqual([7, 0]);
    expect(strings.seen).toEqual(['hello']);
    expect(boxed.seen).toEqual([]);
  });

  it('event stream: publishing with no subscribers is a no-op', () => {
    const stream = new EventStream();
    expect(() => {
      stream.publish(new Dog('rex'));
      stream.publish(undefined);
    }).not.toThrow();
    expect(stream.size).toBe(0);
  });

  it('event stream: objects without a prototype reach subscribeAll and predicates', () => {
    const stream = new EventStream();
    const all = collector();
    stream.subscribeAll(all.handler);
    stream.subscribe(Animal, all.handler);
    const bare = Object.create(null) as object;
    stream.publish(bare);
    expect(all.seen).toEqual([bare]);
  });

  it('event stream: a class subscription to Object receives plain objects, as instanceof says', () => {
    const stream = new EventStream();
    const objects = collector();
    stream.subscribe(Object, objects.handler);
    const plain = { a: 1 };
    const dog = new Dog('rex');
    stream.publish(plain);
    stream.publish(dog);
    stream.publish(3);
    expect(objects.seen).toEqual([plain, dog]);
  });

  it('event stream: unsubscribe stops delivery, flips active and shrinks size', () => {
    const stream = new EventStream();
    const first = collector();
    const second = collector();
    const a = stream.subscribe(Dog, first.handler);
    const b = stream.subscribeAll(second.handler);
    expect(stream.size).toBe(2);
    expect(a.active).toBe(true);
    stream.publish(new Dog('one'));
    a.unsubscribe();
    expect(a.active).toBe(false);
    expect(b.active).toBe(true);
    expect(stream.size).toBe(1);
    stream.publish(new Dog('two'));
    expect(first.seen).toHaveLength(1);
    expect(second.seen).toHaveLength(2);
    b.unsubscribe();
    expect(stream.size).toBe(0);
    stream.publish(new Dog('three'));
    expect(second.seen).toHaveLength(2);
  });

  it('event stream: unsubscribe is idempotent and does not affect other subscriptions', () => {
    const stream = new EventStream();
    const kept = collector();
    const handler = (): void => {};
    const sub = stream.subscribe(Dog, handler);
    stream.subscribe(Dog, kept.handler);
    sub.unsubscribe();
    sub.unsubscribe();
    sub.unsubscribe();
    expect(stream.size).toBe(1);
    expect(sub.active).toBe(false);
    stream.publish(new Dog('rex'));
    expect(kept.seen).toHaveLength(1);
  });

  it('event stream: the same handler subscribed twice is delivered twice and unsubscribed separately', () => {
    const stream = new EventStream();
    const seen = collector();
    const one = stream.subscribe(Dog, seen.handler);
    stream.subscribe(Dog, seen.handler);
    stream.publish(new Dog('a'));
    expect(seen.seen).toHaveLength(2);
    one.unsubscribe();
    stream.publish(new Dog('b'));
    expect(seen.seen).toHaveLength(3);
  });

  it('event stream: subscribers of one kind receive events in subscription order', () => {
    const stream = new EventStream();
    const order: number[] = [];
    for (let i = 0; i < 5; i++) stream.subscribe(Dog, () => order.push(i));
    stream.publish(new Dog('rex'));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('event stream: a throwing handler does not stop delivery and is reported to onError', () => {
    const errors: { error: unknown; event: unknown }[] = [];
    const stream = new EventStream((error, event) => errors.push({ error, event }));
    const before = collector();
    const after = collector();
    const everything = collector();
    const boom = new Error('handler failed');
    stream.subscribe(Dog, before.handler);
    stream.subscribe(Dog, () => {
      throw boom;
    });
    stream.subscribe(Dog, after.handler);
    stream.subscribeWhere(
      () => true,
      () => {
        throw new Error('predicate handler failed');
      },
    );
    stream.subscribeAll(everything.handler);
    const rex = new Dog('rex');
    expect(() => stream.publish(rex)).not.toThrow();
    expect(before.seen).toEqual([rex]);
    expect(after.seen).toEqual([rex]);
    expect(everything.seen).toEqual([rex]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toEqual({ error: boom, event: rex });
    expect(errors[1]?.event).toBe(rex);
  });

  it('event stream: a throwing predicate is reported and does not stop delivery', () => {
    const errors: unknown[] = [];
    const stream = new EventStream((error) => errors.push(error));
    const later = collector();
    stream.subscribeWhere(
      () => {
        throw new Error('bad predicate');
      },
      () => {},
    );
    stream.subscribeAll(later.handler);
    stream.publish('event');
    expect(later.seen).toEqual(['event']);
    expect(errors).toHaveLength(1);
  });

  it('event stream: without onError a throwing handler is swallowed', () => {
    const stream = new EventStream();
    const later = collector();
    stream.subscribeAll(() => {
      throw new Error('ignored');
    });
    stream.subscribeAll(later.handler);
    expect(() => stream.publish(1)).not.toThrow();
    expect(later.seen).toEqual([1]);
  });

  it('event stream: a handler may publish further events re-entrantly', () => {
    const stream = new EventStream();
    const seen: unknown[] = [];
    stream.subscribe(Dog, (dog) => stream.publish(`saw ${dog.name}`));
    stream.subscribeAll((e) => seen.push(e));
    const rex = new Dog('rex');
    stream.publish(rex);
    expect(seen).toContain('saw rex');
    expect(seen).toContain(rex);
  });

  it('event stream: a handler may subscribe and unsubscribe during a publish', () => {
    const stream = new EventStream();
    const late = collector();
    let sub: { unsubscribe(): void } | undefined;
    const self = stream.subscribe(Dog, () => {
      self.unsubscribe();
      sub = stream.subscribe(Dog, late.handler);
    });
    stream.publish(new Dog('a'));
    stream.publish(new Dog('b'));
    expect(late.seen).toHaveLength(1);
    expect(stream.size).toBe(1);
    sub?.unsubscribe();
    expect(stream.size).toBe(0);
  });

  it('event stream: runtime/event-stream.ts imports nothing of ours except eventemitter3', () => {
    const source = readFileSync(new URL('../../runtime/event-stream.ts', import.meta.url), 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ]
      .map((m) => m[1])
      .concat([...source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]))
      .concat([...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]));
    expect(specifiers).toEqual(['eventemitter3']);
  });
});
