import { GradRule } from '../grad-context';

// Y = A·B (numpy matmul, batched and broadcast):  dA = dY·Bᵀ,  dB = Aᵀ·dY, each summed over broadcast axes.
// For the common activation × weight case (A [..., k], B [k, n]) both products run as 2-D Gemm on the
// flattened rows, so no transposed copy of the frozen weight is materialised.
export const matmulGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  const ra = ctx.rank(a);
  const rb = ctx.rank(b);
  if (ra < 2 || rb < 2) {
    return [
      ctx.needsGrad(0) ? vectorCaseGrad(ctx, dY!, 0) : undefined,
      ctx.needsGrad(1) ? vectorCaseGrad(ctx, dY!, 1) : undefined,
    ];
  }
  if (rb === 2) {
    const n = ctx.info(b).shape[1];
    const k = ctx.info(b).shape[0];
    const dY2 = ctx.op('Reshape', [dY!, ctx.int64s([-1, n])]);
    const dA = ctx.needsGrad(0)
      ? ctx.op('Reshape', [ctx.op('Gemm', [dY2, b], { transB: 1 }), ctx.shapeOf(a)])
      : undefined;
    const dB = ctx.needsGrad(1)
      ? ctx.op('Gemm', [ctx.op('Reshape', [a, ctx.int64s([-1, k])]), dY2], { transA: 1 })
      : undefined;
    return [dA, dB];
  }
  const swapLast = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
  const dA = ctx.needsGrad(0)
    ? ctx.unbroadcast(ctx.op('MatMul', [dY!, ctx.op('Transpose', [b], { perm: swapLast(rb) })]), a)
    : undefined;
  const dB = ctx.needsGrad(1)
    ? ctx.unbroadcast(ctx.op('MatMul', [ctx.op('Transpose', [a], { perm: swapLast(ra) }), dY!]), b)
    : undefined;
  return [dA, dB];
};

// 1-D operands: numpy promotes a vector to a matrix and drops the added axis from the result.
// A [k]: Y[..., n] = Σ_k a_k B[..., k, n];  B [k]: Y[..., m] = Σ_k A[..., m, k] b_k.
function vectorCaseGrad(ctx: Parameters<GradRule>[0], dY: string, which: 0 | 1): string {
  const [a, b] = ctx.inputs;
  const ra = ctx.rank(a);
  const rb = ctx.rank(b);
  const a2 = ra === 1 ? ctx.op('Unsqueeze', [a, ctx.int64s([0])]) : a;
  const b2 = rb === 1 ? ctx.op('Unsqueeze', [b, ctx.int64s([1])]) : b;
  // Restore the dropped axes on dY so it is shaped like A2·B2.
  let dY2 = dY;
  if (rb === 1) dY2 = ctx.op('Unsqueeze', [dY2, ctx.int64s([-1])]);
  if (ra === 1) dY2 = ctx.op('Unsqueeze', [dY2, ctx.int64s([-2])]);
  const r2a = Math.max(ra, 2);
  const r2b = Math.max(rb, 2);
  const swap = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
  if (which === 0) {
    const full = ctx.op('MatMul', [dY2, ctx.op('Transpose', [b2], { perm: swap(r2b) })]);
    const rank = Math.max(ctx.rank(dY2 === dY ? ctx.outputs[0] : ctx.outputs[0]) + (ra === 1 ? 1 : 0) + (rb === 1 ? 1 : 0), 2);
    const lead = Array.from({ length: rank - r2a }, (_, i) => i);
    const axes = ra === 1 ? [...lead, rank - 2] : lead;
    const reduced = axes.length ? ctx.op('ReduceSum', [full, ctx.int64s(axes)], { keepdims: 1 }) : full;
    return ctx.op('Reshape', [reduced, ctx.shapeOf(a)]);
  }
  const full = ctx.op('MatMul', [ctx.op('Transpose', [a2], { perm: swap(r2a) }), dY2]);
  const rank = Math.max(ctx.rank(ctx.outputs[0]) + (ra === 1 ? 1 : 0) + (rb === 1 ? 1 : 0), 2);
  const lead = Array.from({ length: rank - r2b }, (_, i) => i);
  const axes = rb === 1 ? [...lead, rank - 1] : lead;
  const reduced = axes.length ? ctx.op('ReduceSum', [full, ctx.int64s(axes)], { keepdims: 1 }) : full;
  return ctx.op('Reshape', [reduced, ctx.shapeOf(b)]);
}
