import { describe, expect, it } from 'vitest';
import { BlockList } from '../../remoting/index.ts';

describe('BlockList', () => {
  it('block-list: lists blocked ids sorted and tells listeners once per new id', () => {
    const list = new BlockList(['b']);
    const told: string[] = [];
    const stop = list.onBlocked((id) => told.push(id));
    list.block('c', 'a', 'b', 'c');
    expect(list.list()).toEqual(['a', 'b', 'c']);
    expect(list.size).toBe(3);
    expect(list.has('a')).toBe(true);
    expect(told).toEqual(['c', 'a']);
    stop();
    list.block('d');
    expect(told).toEqual(['c', 'a']);
  });
});
