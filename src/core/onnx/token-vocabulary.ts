// What a model says about its token ids, read from the graph before anything runs: the rows of the embedding
// table that `input_ids` index, and the declared shape of its logits. Ids outside the table make ONNX Runtime's
// Gather fail deep in the graph, or worse, wrap around (a negative index counts from the end), so callers check
// ids against these sizes first.
import { ModelProto } from './types';

const passThrough = new Set(['Cast', 'Identity']);

/** Rows of the embedding table `input_ids` index: Gather(table, input_ids), possibly after Cast/Identity. */
export function inputIdsVocabulary(model: ModelProto, input = 'input_ids'): number | undefined {
  const g = model.graph;
  const names = new Set([input]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const node of g.nodes) {
      if (passThrough.has(node.opType) && names.has(node.inputs[0]) && !names.has(node.outputs[0])) {
        names.add(node.outputs[0]);
        grew = true;
      }
    }
  }
  const tables = new Map(g.initializers.map((t) => [t.name, t]));
  for (const node of g.nodes) {
    if (node.opType !== 'Gather' || !names.has(node.inputs[1])) continue;
    const table = tables.get(node.inputs[0]);
    if (table && table.dims.length === 2) return table.dims[0];
  }
  return undefined;
}

/**
 * The logits output (named `logits`, else the first output) and its declared dims: a dim is undefined where
 * symbolic, `dims` is undefined when the rank is not declared.
 */
export function declaredLogits(model: ModelProto): { name: string; dims?: (number | undefined)[]; shapeText: string } | undefined {
  const out = model.graph.outputs.find((o) => o.name === 'logits') ?? model.graph.outputs[0];
  if (!out) return undefined;
  const shapeText = out.shape ? `[${out.shape.map((d) => d.value ?? d.param ?? '?').join(', ')}]` : '[rank unknown]';
  return { name: out.name, dims: out.shape?.map((d) => d.value), shapeText };
}
