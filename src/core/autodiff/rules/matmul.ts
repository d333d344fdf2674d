import { GradContext, GradRule } from '../grad-context';

// Y = A·B (numpy matmul, batched and broadcast):  dA = dY·Bᵀ,  dB = Aᵀ·dY, each summed over broadcast axes.
// For the common activation × weight case (A [..., k], B [k, n]) both products run as 2-D Gemm on the
// flattened rows, so no transposed copy of the frozen weight is materialised.
export const matmulGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  const ra = ctx.rank(a);
  const rb = ctx.rank(b);
  if (ra < 2 || rb < 2) return vectorCaseGrad(ctx, dY!);
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
  const dA = ctx.needsGrad(0)
    ? ctx.unbroadcast(ctx.op('MatMul', [dY!, ctx.op('Transpose', [b], { perm: swapLastTwo(rb) })]), a)
    : undefined;
  const dB = ctx.needsGrad(1)
    ? ctx.unbroadcast(ctx.op('MatMul', [ctx.op('Transpose', [a], { perm: swapLastTwo(ra) }), dY!]), b)
    : undefined;
  return [dA, dB];
};

// 1-D operands: numpy treats a vector as a matrix for the product and drops its axis from the result.
//   a·b (both [k]):            Y = Σ_k a_k b_k         ⇒ dA = dY·b,  dB = dY·a
//   A [k], B [..., k, n]:      Y[..., n] = Σ_k A_k B[..., k, n]
//                              ⇒ dB = A[:, None]·dY[..., None, :],  dA_k = Σ_{..., n} B[..., k, n] dY[..., n]
//   A [..., m, k], B [k]:      Y[..., m] = Σ_k A[..., m, k] B_k
//                              ⇒ dA = dY[..., None]·B,  dB_k = Σ_{..., m} A[..., m, k] dY[..., m]
function vectorCaseGrad(ctx: GradContext, dY: string): (string | undefined)[] {
  const [a, b] = ctx.inputs;
  const [ra, rb] = [ctx.rank(a), ctx.rank(b)];
  if (ra === 1 && rb === 1) {
    return [ctx.needsGrad(0) ? ctx.op('Mul', [dY, b]) : undefined, ctx.needsGrad(1) ? ctx.op('Mul', [dY, a]) : undefined];
  }
  const last = () => ctx.int64s([-1]);
  if (ra === 1) {
    // B·dY[..., :, None] is (..., k, 1); summing its batch axes and the 1 leaves dA [k] (for 2-D B, B·dY).
    const dA = !ctx.needsGrad(0)
      ? undefined
      : rb === 2
        ? ctx.op('MatMul', [b, dY])
        : ctx.op('ReduceSum', [ctx.op('MatMul', [b, ctx.op('Unsqueeze', [dY, last()])]), ctx.int64s([...Array(rb - 2).keys(), rb - 1])], {
            keepdims: 0,
          });
    const dB = ctx.needsGrad(1) ? ctx.op('Mul', [ctx.op('Unsqueeze', [a, last()]), ctx.op('Unsqueeze', [dY, ctx.int64s([-2])])]) : undefined;
    return [dA, dB];
  }
  // rb === 1: A's rows (…·m, k) weighted by dY (…·m) give dB [k] without any transpose.
  const k = ctx.info(b).shape[0];
  const dA = ctx.needsGrad(0) ? ctx.op('Mul', [ctx.op('Unsqueeze', [dY, last()]), b]) : undefined;
  const dB = ctx.needsGrad(1)
    ? ctx.op('MatMul', [ctx.op('Reshape', [dY, last()]), ctx.op('Reshape', [a, ctx.int64s([-1, k])])])
    : undefined;
  return [dA, dB];
}

/** perm that swaps the last two of `rank` axes. */
function swapLastTwo(rank: number): number[] {
  return [...Array(rank - 2).keys(), rank - 1, rank - 2];
}
