// Every linear layer of an exported graph: a MatMul or Gemm whose weight is a constant 2-D float tensor,
// possibly behind Identity (tied/deduplicated weights) and Transpose (unfolded exports keep W[out,in] and
// emit MatMul(x, Transpose(W))). Folded exports store W already transposed as [in,out] under an anonymous
// name (`onnx::MatMul_416`); the module is then named after its bias or its node path (see peft-names.ts).
import { attrInt, attrInts } from '../onnx/attributes';
import { isFloatType } from '../onnx/tensor-data';
import { DataType, NodeProto, TensorProto } from '../onnx/types';
import { GraphIndex, constantSource, namedConstants } from './graph-index';
import { derivePeftName } from './peft-names';

export type WeightLayout = 'in_out' | 'out_in';

/** One LoRA target: the linear node, its frozen weight and the PEFT name its adapter is keyed by. */
export interface ResolvedModule {
  peftName: string;
  /** Node name (as in the module map); may be '' in graphs without node names. */
  node: string;
  /** The node's output y, unique in the graph: injection finds the node by it. */
  output: string;
  op: 'MatMul' | 'Gemm';
  /** The frozen weight initializer. */
  initializer: string;
  /** How the initializer holds W: [d_in, d_out] ('in_out') or PyTorch's [d_out, d_in] ('out_in'). */
  stored: WeightLayout;
  dIn: number;
  dOut: number;
  dtype: DataType;
}

export interface LinearModule extends ResolvedModule {
  /** Names the weight is reached through, from the op input back to the initializer. */
  weightNames: string[];
  biasName?: string;
  /** Produces a graph output (directly or through its bias Add), or is named like an output head. */
  isOutputHead: boolean;
}

const outputHeadNames = new Set(['lm_head', 'classifier', 'score', 'embed_out', 'qa_outputs']);

interface WeightTrace {
  tensor: TensorProto;
  names: string[];
  transposes: number;
}

// Follows the weight operand back to its initializer through Identity and 2-D Transpose nodes.
function traceWeight(index: GraphIndex, name: string): WeightTrace | undefined {
  const names: string[] = [];
  let transposes = 0;
  let current = name;
  for (let hops = 0; hops < 16; hops++) {
    names.push(current);
    const init = index.initializers.get(current);
    if (init) return { tensor: init, names, transposes };
    const node = index.producer.get(current);
    if (!node) return undefined;
    if (node.opType === 'Transpose') {
      const perm = attrInts(node, 'perm');
      if (perm && !(perm.length === 2 && perm[0] === 1 && perm[1] === 0)) return undefined;
      transposes++;
    } else if (node.opType !== 'Identity') {
      return undefined;
    }
    current = node.inputs[0];
  }
  return undefined;
}

// The bias constant added to y: Gemm's C, or Add(y, b) / Add(b, y) with a constant b, as exporters emit.
function findBias(index: GraphIndex, node: NodeProto): { name: string; sum: string } | undefined {
  if (node.opType === 'Gemm') {
    const c = node.inputs[2];
    return c && constantSource(index, c) ? { name: c, sum: node.outputs[0] } : undefined;
  }
  const users = index.consumers.get(node.outputs[0]) ?? [];
  if (users.length !== 1 || users[0].opType !== 'Add') return undefined;
  const other = users[0].inputs.find((i) => i !== node.outputs[0]);
  return other && constantSource(index, other) ? { name: other, sum: users[0].outputs[0] } : undefined;
}

type UnnamedModule = Omit<LinearModule, 'peftName' | 'isOutputHead'> & { node: string; proto: NodeProto; producesOutput: boolean };

function linearModuleOf(index: GraphIndex, node: NodeProto): UnnamedModule | undefined {
  if (node.opType !== 'MatMul' && node.opType !== 'Gemm') return undefined;
  if (node.domain && node.domain !== 'ai.onnx') return undefined;
  if (node.opType === 'Gemm' && attrInt(node, 'transA', 0) !== 0) return undefined;
  if (constantSource(index, node.inputs[0])) return undefined;
  const trace = traceWeight(index, node.inputs[1]);
  if (!trace || trace.tensor.dims.length !== 2 || !isFloatType(trace.tensor.dataType)) return undefined;
  // Gemm with transB=1 reads B as [out,in]; each Transpose on the way flips the layout once more.
  const flips = trace.transposes + (node.opType === 'Gemm' ? attrInt(node, 'transB', 0) : 0);
  const stored: WeightLayout = flips % 2 === 0 ? 'in_out' : 'out_in';
  const [rows, cols] = trace.tensor.dims;
  const bias = findBias(index, node);
  const producesOutput = index.graphOutputs.has(node.outputs[0]) || (!!bias && index.graphOutputs.has(bias.sum));
  return {
    proto: node,
    producesOutput,
    node: node.name,
    output: node.outputs[0],
    op: node.opType,
    initializer: trace.tensor.name,
    stored,
    dIn: stored === 'in_out' ? rows : cols,
    dOut: stored === 'in_out' ? cols : rows,
    dtype: trace.tensor.dataType,
    weightNames: trace.names,
    biasName: bias?.name,
  };
}

// Constants that name no module: weight aliases or biases reaching linear nodes with different weights, and
// biases any other node reads too. Exporters merge equal tensors (Hugging Face's zero biases) into one
// initializer, which may then carry a LayerNorm's name. Nodes reading the same weight initializer are one
// module (tied weights) and do not make its names shared.
function sharedConstantNames(index: GraphIndex, modules: readonly UnnamedModule[]): Set<string> {
  const shared = new Set(modules.map((m) => m.biasName).filter((b): b is string => !!b && (index.consumers.get(b)?.length ?? 0) > 1));
  const weightsByName = new Map<string, Set<string>>();
  for (const m of modules) {
    for (const name of [...m.weightNames, ...(m.biasName ? [m.biasName] : [])]) {
      const weights = weightsByName.get(name) ?? new Set<string>();
      weights.add(m.initializer);
      weightsByName.set(name, weights);
    }
  }
  for (const [name, weights] of weightsByName) if (weights.size > 1) shared.add(name);
  return shared;
}

/** All linear modules of the graph, in node order. */
export function findLinearModules(index: GraphIndex): LinearModule[] {
  const constantsWithNames = namedConstants(index);
  const unnamed: UnnamedModule[] = [];
  for (const node of index.graph.nodes) {
    const m = linearModuleOf(index, node);
    if (m) unnamed.push(m);
  }
  const sharedConstants = sharedConstantNames(index, unnamed);
  return unnamed.map(({ proto, producesOutput, ...m }) => {
    const peftName = derivePeftName({
      node: proto,
      weightNames: m.weightNames,
      biasName: m.biasName,
      sharedConstants,
      namedConstants: constantsWithNames,
    });
    return { ...m, peftName, isOutputHead: producesOutput || outputHeadNames.has(peftName.split('.').pop() ?? '') };
  });
}

/** The public part of a linear module (what resolveTargets returns). */
export function toResolvedModule(m: LinearModule): ResolvedModule {
  const { peftName, node, output, op, initializer, stored, dIn, dOut, dtype } = m;
  return { peftName, node, output, op, initializer, stored, dIn, dOut, dtype };
}
