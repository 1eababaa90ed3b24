import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.ts';
import { seededRandom } from '../sim/random.ts';

describe('MinHeap', () => {
  it('pops entries in order of priority, duplicates included, then nothing', () => {
    const random = seededRandom(7);
    const heap = new MinHeap<number>();
    const priorities = Array.from({ length: 200 }, () => Math.floor(random() * 50));
    priorities.forEach((p, i) => heap.push(p, i));
    expect(heap.size).toBe(200);
    const popped: number[] = [];
    for (let top = heap.pop(); top; top = heap.pop()) popped.push(top[0]);
    expect(popped).toEqual([...priorities].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});
