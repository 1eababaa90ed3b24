import type { LinkInfo } from './hydraulics.ts';

/**
 * Shortest-path distances along pipes (metres) from one node to every node, over the network's
 * links taken as undirected (pumps and valves count 0 m). Dijkstra with a binary heap.
 */
export function pipeDistances(links: readonly LinkInfo[], from: string): Map<string, number> {
  const adj = new Map<string, Array<[string, number]>>();
  for (const l of links) {
    (adj.get(l.from) ?? adj.set(l.from, []).get(l.from)!).push([l.to, l.lengthM]);
    (adj.get(l.to) ?? adj.set(l.to, []).get(l.to)!).push([l.from, l.lengthM]);
  }
  const dist = new Map<string, number>([[from, 0]]);
  const heap: Array<[number, string]> = [[0, from]];
  const push = (item: [number, string]) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]![0] <= heap[i]![0]) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const pop = (): [number, string] => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
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
  };
  while (heap.length > 0) {
    const [d, node] = pop();
    if (d > (dist.get(node) ?? Infinity)) continue;
    for (const [next, w] of adj.get(node) ?? []) {
      const nd = d + w;
      if (nd < (dist.get(next) ?? Infinity)) {
        dist.set(next, nd);
        push([nd, next]);
      }
    }
  }
  return dist;
}

/**
 * Sensor placement rule used by the benchmark: greedy farthest-point (k-centre) selection by pipe
 * distance among junctions, starting from the junction farthest from every source (tank or
 * reservoir). Deterministic for a given network.
 */
export function chooseSensors(links: readonly LinkInfo[], junctions: readonly string[], sources: readonly string[], count: number): string[] {
  const nearest = new Map<string, number>(junctions.map((j) => [j, Infinity]));
  const update = (from: string) => {
    const d = pipeDistances(links, from);
    for (const j of junctions) nearest.set(j, Math.min(nearest.get(j)!, d.get(j) ?? Infinity));
  };
  for (const s of sources) update(s);
  const chosen: string[] = [];
  while (chosen.length < Math.min(count, junctions.length)) {
    let best: string | undefined;
    let bestD = -1;
    for (const j of junctions) {
      if (chosen.includes(j)) continue;
      const d = nearest.get(j)!;
      const dd = Number.isFinite(d) ? d : 0;
      if (dd > bestD) { bestD = dd; best = j; }
    }
    chosen.push(best!);
    update(best!);
  }
  return chosen;
}
