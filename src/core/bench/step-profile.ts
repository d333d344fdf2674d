// What one training step did, read from ONNX Runtime's own profile of it (enableProfiling): every kernel that
// ran, with its input/output shapes and duration, after the runtime's graph optimizations (fusions included).
// From that: the matrix-product work of the step, where its time went by op, and the bytes of the forward
// activations, without a second run at full size that would hold every intermediate at once.
import * as fs from 'fs';
import { attrInt } from '../onnx/attributes';
import { NodeProto } from '../onnx/types';

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: {
    op_name?: string;
    input_type_shape?: Record<string, number[]>[];
    output_type_shape?: Record<string, number[]>[];
    output_size?: string;
  };
}

export interface OpTime {
  op: string;
  ms: number;
  count: number;
}

export interface StepProfile {
  /** 2·M·N·K over every MatMul, Gemm and FusedMatMul kernel that ran. */
  matmulFlops: number;
  /** Sum of kernel times (ms). */
  kernelMs: number;
  /** Kernel time by op type, largest first. */
  byOp: OpTime[];
  /** Bytes written by the forward kernels (those not emitted by the autodiff or the loss head). */
  forwardOutputBytes: number;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const shapeOf = (s: Record<string, number[]> | undefined) => (s ? Object.values(s)[0] : undefined);

/** Backward nodes are named `<node>_Grad/…` by the gradient emitter (autodiff/grad-context.ts). */
export function isBackwardNode(name: string): boolean {
  return name.includes('_Grad/');
}

// Y = A·B with A [..., M, K]: 2·|Y|·K. For a 2-D Gemm/FusedMatMul the transA attribute says which axis of A is
// K; a kernel the runtime created itself (a fusion) is not in our graph, so K is then A's axis that is not M.
function matmulFlops(op: string, inputs: number[][], output: number[], node: NodeProto | undefined): number {
  const a = inputs[0];
  if (!a || !output.length) return 0;
  if (op === 'MatMul' || a.length !== 2 || output.length !== 2) return 2 * product(output) * (a[a.length - 1] ?? 1);
  const transA = node ? attrInt(node, 'transA', 0) : a[0] === output[0] ? 0 : 1;
  return 2 * product(output) * (transA ? a[0] : a[1]);
}

export function readStepProfile(file: string, nodes: readonly NodeProto[]): StepProfile {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const byOp = new Map<string, OpTime>();
  let matmul = 0;
  let kernelUs = 0;
  let forwardBytes = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const op = e.args.op_name;
    const dur = e.dur ?? 0;
    kernelUs += dur;
    const entry = byOp.get(op) ?? { op, ms: 0, count: 0 };
    entry.ms += dur / 1000;
    entry.count++;
    byOp.set(op, entry);
    if (op === 'MatMul' || op === 'Gemm' || op === 'FusedMatMul') {
      const inputs = (e.args.input_type_shape ?? []).map(shapeOf).filter((s): s is number[] => !!s);
      const output = shapeOf(e.args.output_type_shape?.[0]) ?? [];
      matmul += matmulFlops(op, inputs, output, byName.get(name));
    }
    if (!isBackwardNode(name) && !name.startsWith('LossHead/')) forwardBytes += Number(e.args.output_size ?? 0);
  }
  return {
    matmulFlops: matmul,
    kernelMs: kernelUs / 1000,
    byOp: [...byOp.values()].sort((x, y) => y.ms - x.ms),
    forwardOutputBytes: forwardBytes,
  };
}
