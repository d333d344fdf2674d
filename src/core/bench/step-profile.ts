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
  ts?: number;
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
  /** Time of those products (ms). */
  matmulMs: number;
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

/** One profile per session run in the file (runs are told apart by ONNX Runtime's `model_run` events). */
export function readStepProfiles(file: string, nodes: readonly NodeProto[]): StepProfile[] {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => ({ start: e.ts ?? 0, end: (e.ts ?? 0) + (e.dur ?? 0) }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const profiles = runs.map(() => ({ byOp: new Map<string, OpTime>(), matmul: 0, matmulUs: 0, kernelUs: 0, forwardBytes: 0 }));
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const run = runs.findIndex((r) => (e.ts ?? 0) >= r.start && (e.ts ?? 0) <= r.end);
    if (run < 0) continue;
    const p = profiles[run];
    const name = e.name.slice(0, -'_kernel_time'.length);
    const op = e.args.op_name;
    const dur = e.dur ?? 0;
    p.kernelUs += dur;
    const entry = p.byOp.get(op) ?? { op, ms: 0, count: 0 };
    entry.ms += dur / 1000;
    entry.count++;
    p.byOp.set(op, entry);
    if (op === 'MatMul' || op === 'Gemm' || op === 'FusedMatMul') {
      const inputs = (e.args.input_type_shape ?? []).map(shapeOf).filter((x): x is number[] => !!x);
      const output = shapeOf(e.args.output_type_shape?.[0]) ?? [];
      p.matmul += matmulFlops(op, inputs, output, byName.get(name));
      p.matmulUs += dur;
    }
    if (!isBackwardNode(name) && !name.startsWith('LossHead/')) p.forwardBytes += Number(e.args.output_size ?? 0);
  }
  return profiles.map((p) => ({
    matmulFlops: p.matmul,
    matmulMs: p.matmulUs / 1000,
    kernelMs: p.kernelUs / 1000,
    byOp: [...p.byOp.values()].sort((x, y) => y.ms - x.ms),
    forwardOutputBytes: p.forwardBytes,
  }));
}

/** The profile of the first run in the file. */
export function readStepProfile(file: string, nodes: readonly NodeProto[]): StepProfile {
  const [first] = readStepProfiles(file, nodes);
  if (!first) throw new Error(`${file} holds no profiled run`);
  return first;
}
