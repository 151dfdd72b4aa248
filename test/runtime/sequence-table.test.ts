import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequenceTable } from '../../runtime/sequence-table.ts';

describe('SequenceTable', () => {
  it('sequence table: set, get and delete across page boundaries', () => {
    const table = new SequenceTable<string>();
    for (let seq = 1; seq <= 200; seq++) table.set(seq, `v${seq}`);
    expect(table.size).toBe(200);
    expect(table.get(64)).toBe('v64');
    expect(table.get(65)).toBe('v65');
    expect(table.delete(64)).toBe(true);
    expect(table.delete(64)).toBe(false);
    expect(table.get(64)).toBeUndefined();
    expect(table.get(201)).toBeUndefined();
    expect(table.size).toBe(199);
  });

  it('sequence table: a page whose keys are all removed is freed and can be refilled', () => {
    const table = new SequenceTable<number>();
    for (let seq = 64; seq < 128; seq++) table.set(seq, seq);
    for (let seq = 64; seq < 128; seq++) table.delete(seq);
    expect(table.size).toBe(0);
    expect((table as unknown as { pages: Map<number, unknown> }).pages.size).toBe(0);
    table.set(100, 7);
    expect(table.get(100)).toBe(7);
  });

  it('sequence table: behaves like a Map under random operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), seq: fc.integer({ min: 1, max: 5_000 }) }),
      fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 1, max: 5_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new SequenceTable<number>();
        const model = new Map<number, number>();
        ops.forEach(({ kind, seq }, i) => {
          if (kind === 'set') {
            table.set(seq, i);
            model.set(seq, i);
          } else {
            expect(table.delete(seq)).toBe(model.delete(seq));
          }
          expect(table.size).toBe(model.size);
          expect(table.get(seq)).toBe(model.get(seq));
        });
        for (const [seq, value] of model) expect(table.get(seq)).toBe(value);
      }),
    );
  });
});
