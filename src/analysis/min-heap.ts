/** A binary min-heap of `[priority, item]` pairs: the queue of the Dijkstra searches here (lazy deletion is the caller's). */
export class MinHeap<T> {
  private readonly entries: [number, T][] = [];

  get size(): number {
    return this.entries.length;
  }

  push(priority: number, item: T): void {
    const heap = this.entries;
    heap.push([priority, item]);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (heap[p]![0] <= heap[i]![0]) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  }

  /** The entry of least priority, removed; undefined when empty. */
  pop(): [number, T] | undefined {
    const heap = this.entries;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }
}
