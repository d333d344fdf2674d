// A graph cut into consecutive segments, one per group of wanted outputs, so that a pass over a large model can
// finish one group (e.g. one transformer layer's covariances) before the next begins: segment j runs only the
// nodes its outputs need that no earlier segment ran, reading what earlier segments computed (the carried
// values) as graph inputs. Running the segments in order on the same feeds gives the same values as the whole
// graph; only the carried values (the residual stream, masks, rotary tables) are kept between segments.
import { Graph, ModelProto, NodeProto, ValueInfo } from './types';

export interface GraphSegment {
  model: ModelProto;
  /** The wanted outputs this segment computes. */
  outputs: string[];
  /** Values computed by earlier segments that this one reads (fed from the carry). */
  carriedIn: string[];
  /** Values this segment computes that later segments read (kept in the carry). */
  carriedOut: string[];
  /** Carried values no segment after this one reads (dropped from the carry after it). */
  lastUse: string[];
}

// Every value a node reads, including the outer-scope names its subgraphs (If, Loop, Scan bodies) use.
function nodeReads(n: NodeProto): string[] {
  const reads = n.inputs.filter((i) => i);
  for (const a of n.attributes) for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) reads.push(...outerReads(g));
  return reads;
}

function outerReads(g: Graph): string[] {
  const local = new Set([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name), ...g.nodes.flatMap((n) => n.outputs)]);
  return g.nodes.flatMap(nodeReads).filter((name) => !local.has(name));
}

/**
 * Segments of `model` computing `groups` in order (group j's outputs in segment j). `types` gives the element
 * type (and shape, if known) of every value, for the carried values that become segment inputs.
 */
export function planSegments(model: ModelProto, groups: readonly (readonly string[])[], types: ReadonlyMap<string, Omit<ValueInfo, 'name'>>): GraphSegment[] {
  const g = model.graph;
  const producer = new Map<string, number>();
  g.nodes.forEach((n, k) => n.outputs.forEach((o) => o && producer.set(o, k)));
  const graphInputs = new Set(g.inputs.map((v) => v.name));
  const initializers = new Set(g.initializers.map((t) => t.name));
  const reads = g.nodes.map(nodeReads);
  const owner = new Int32Array(g.nodes.length).fill(-1);
  // Segment j owns the nodes its outputs need that no earlier segment owns (backward closure).
  groups.forEach((outputs, j) => {
    const stack = [...outputs];
    for (const o of outputs) {
      if (!producer.has(o) && !graphInputs.has(o) && !initializers.has(o)) throw new Error(`graph segments: no node produces the wanted output '${o}'`);
    }
    while (stack.length) {
      const k = producer.get(stack.pop()!);
      if (k === undefined || owner[k] !== -1) continue;
      owner[k] = j;
      stack.push(...reads[k]);
    }
  });
  const segmentOf = (value: string) => {
    const k = producer.get(value);
    return k === undefined ? -1 : owner[k];
  };
  // For every node-produced value: the last segment that reads it.
  const lastReader = new Map<string, number>();
  g.nodes.forEach((_, k) => {
    if (owner[k] < 0) return;
    for (const r of reads[k]) if (producer.has(r)) lastReader.set(r, Math.max(lastReader.get(r) ?? -1, owner[k]));
  });
  groups.forEach((outputs, j) => outputs.forEach((o) => producer.has(o) && lastReader.set(o, Math.max(lastReader.get(o) ?? -1, j))));
  return groups.map((outputs, j) => {
    const nodes = g.nodes.filter((_, k) => owner[k] === j);
    const readsHere = new Set(g.nodes.flatMap((_, k) => (owner[k] === j ? reads[k] : [])));
    for (const o of outputs) readsHere.add(o);
    const carriedIn = [...readsHere].filter((v) => segmentOf(v) >= 0 && segmentOf(v) < j);
    const carriedOut = nodes.flatMap((n) => n.outputs).filter((o) => o && (lastReader.get(o) ?? -1) > j);
    const lastUse = [...readsHere].filter((v) => segmentOf(v) >= 0 && segmentOf(v) <= j && lastReader.get(v) === j);
    const info = (name: string): ValueInfo => {
      const t = types.get(name);
      if (!t) throw new Error(`graph segments: no type known for the carried value '${name}'`);
      return { ...t, name };
    };
    const used = new Set([...readsHere]);
    const segment: Graph = {
      ...g,
      name: `${g.name}/segment_${j}`,
      nodes,
      initializers: g.initializers.filter((t) => used.has(t.name)),
      inputs: [...g.inputs.filter((v) => used.has(v.name) && !initializers.has(v.name)), ...carriedIn.map(info)],
      outputs: [...new Set([...outputs, ...carriedOut])].map((name) => (types.has(name) ? info(name) : { name })),
      valueInfo: [],
    };
    return { model: { ...model, graph: segment }, outputs: [...outputs], carriedIn, carriedOut, lastUse };
  });
}
