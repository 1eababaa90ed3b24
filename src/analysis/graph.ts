import type { LinkInfo } from './hydraulics.ts';
import { MinHeap } from './min-heap.ts';

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
  const heap = new MinHeap<string>();
  heap.push(0, from);
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [d, node] = top;
    if (d > (dist.get(node) ?? Infinity)) continue;
    for (const [next, w] of adj.get(node) ?? []) {
      const nd = d + w;
      if (nd < (dist.get(next) ?? Infinity)) {
        dist.set(next, nd);
        heap.push(nd, next);
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
