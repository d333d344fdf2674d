// Lookup tables over one graph: who produces a value, who consumes it, which names are constants. Built once
// per analysis so the target resolver and the model report walk the graph in O(nodes).
import { Graph, NodeProto, TensorProto } from '../onnx/types';

export interface GraphIndex {
  graph: Graph;
  initializers: Map<string, TensorProto>;
  producer: Map<string, NodeProto>;
  consumers: Map<string, NodeProto[]>;
  graphOutputs: Set<string>;
}

export function indexGraph(graph: Graph): GraphIndex {
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.nodes) {
    for (const out of node.outputs) if (out) producer.set(out, node);
    for (const input of node.inputs) {
      if (!input) continue;
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }
  return { graph, initializers, producer, consumers, graphOutputs: new Set(graph.outputs.map((o) => o.name)) };
}

/**
 * The initializer behind `name`, looking through Identity nodes (exporters alias tied or deduplicated
 * weights that way: `transformer.ln_f.bias = Identity(transformer.h.0.ln_1.bias)`).
 */
export function constantSource(index: GraphIndex, name: string): TensorProto | undefined {
  let current = name;
  for (let hops = 0; hops < 16; hops++) {
    const init = index.initializers.get(current);
    if (init) return init;
    const node = index.producer.get(current);
    if (!node || node.opType !== 'Identity') return undefined;
    current = node.inputs[0];
  }
  return undefined;
}

/** Names of constants that carry a PyTorch parameter path (`model.layers.0.input_layernorm.weight`). */
export function namedConstants(index: GraphIndex): string[] {
  const names = [...index.initializers.keys()];
  for (const node of index.graph.nodes) {
    if (node.opType === 'Identity' && constantSource(index, node.inputs[0])) names.push(node.outputs[0]);
  }
  return names.filter((n) => !isAnonymousName(n) && n.includes('.'));
}

/** Exporter-generated names (`onnx::MatMul_416`, `/Constant_output_0`) say nothing about the module. */
export function isAnonymousName(name: string): boolean {
  return name.startsWith('onnx::') || name.startsWith('/') || !/[A-Za-z]/.test(name);
}
