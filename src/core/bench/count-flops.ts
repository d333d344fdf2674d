// Floating-point work of a graph run, from the tensor shapes of a probe at the measured batch size:
// the matrix products (MatMul, Gemm, Einsum as 2·M·N·K) dominate a transformer step; elementwise ops are
// not counted, so GFLOP/s is the conventional "matmul FLOP/s".
import { TensorInfo } from '../autodiff/grad-context';
import { attrInt, attrString } from '../onnx/attributes';
import { Graph } from '../onnx/types';

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function einsumFlops(equation: string, shapes: number[][]): number {
  // 2 × the size of the iteration space: every letter of every operand, once.
  const [lhs] = equation.replace(/\s/g, '').split('->');
  const sizes = new Map<string, number>();
  lhs.split(',').forEach((term, k) => {
    const dims = shapes[k] ?? [];
    const letters = term.replace('...', '');
    const offset = dims.length - letters.length;
    [...letters].forEach((c, i) => sizes.set(c, dims[offset + i]));
  });
  return 2 * product([...sizes.values()]);
}

export function countMatmulFlops(graph: Graph, infos: ReadonlyMap<string, TensorInfo>): number {
  let flops = 0;
  const shape = (n: string) => infos.get(n)?.shape;
  for (const node of graph.nodes) {
    if (node.opType === 'MatMul') {
      const a = shape(node.inputs[0]);
      const y = shape(node.outputs[0]);
      if (a && y) flops += 2 * product(y) * (a[a.length - 1] ?? 1);
    } else if (node.opType === 'Gemm') {
      const a = shape(node.inputs[0]);
      const y = shape(node.outputs[0]);
      if (a && y) flops += 2 * product(y) * (attrInt(node, 'transA', 0) ? a[0] : a[1]);
    } else if (node.opType === 'Einsum') {
      const shapes = node.inputs.map((i) => shape(i) ?? []);
      flops += einsumFlops(attrString(node, 'equation', ''), shapes);
    }
  }
  return flops;
}

/** Bytes of every intermediate tensor of one run (the activations a forward pass materialises). */
export function intermediateBytes(graph: Graph, infos: ReadonlyMap<string, TensorInfo>, bytesPerElement = 4): number {
  let bytes = 0;
  for (const node of graph.nodes) {
    for (const o of node.outputs) {
      const info = infos.get(o);
      if (info) bytes += product(info.shape) * bytesPerElement;
    }
  }
  return bytes;
}
