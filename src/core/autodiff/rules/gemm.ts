import { attrFloat, attrInt } from '../../onnx/attributes';
import { GradRule } from '../grad-context';

// Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A (m, k) and B' = transB ? Bᵀ : B (k, n):
//   dA' = α·dY·B'ᵀ,  dB' = α·A'ᵀ·dY,  dC = β·dY summed over C's broadcast axes.
// A transposed operand takes the transposed gradient, and every product below is one Gemm whose trans
// flags absorb the transposes (no Transpose node):
//   transA=0: dA = α·dY·B'ᵀ          transA=1: dA = (α·dY·B'ᵀ)ᵀ = α·B'·dYᵀ
//   transB=0: dB = α·A'ᵀ·dY          transB=1: dB = (α·A'ᵀ·dY)ᵀ = α·dYᵀ·A'
export const gemmGrad: GradRule = (ctx, [dY]) => {
  const [a, b, c] = ctx.inputs;
  const transA = attrInt(ctx.node, 'transA', 0);
  const transB = attrInt(ctx.node, 'transB', 0);
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const beta = attrFloat(ctx.node, 'beta', 1);
  const alphaAttr = alpha === 1 ? undefined : { float: alpha };
  const gemm = (x: string, y: string, tx: number, ty: number) =>
    ctx.op('Gemm', [x, y], { alpha: alphaAttr, transA: tx || undefined, transB: ty || undefined });

  // B' = transB ? Bᵀ : B, so B'ᵀ as the right factor is B with flag 1 − transB.
  const dA = !ctx.needsGrad(0) ? undefined : transA ? gemm(b, dY!, transB, 1) : gemm(dY!, b, 0, 1 - transB);
  // A'ᵀ as the left factor is A with flag 1 − transA; A' as the right factor is A with flag transA.
  const dB = !ctx.needsGrad(1) ? undefined : transB ? gemm(dY!, a, 1, transA) : gemm(a, dY!, 1 - transA, 0);
  let dC: string | undefined;
  if (c && ctx.needsGrad(2)) {
    const scaled = beta === 1 ? dY! : ctx.op('Mul', [dY!, ctx.scalarLike(beta, ctx.outputs[0])]);
    dC = ctx.unbroadcast(scaled, c);
  }
  return [dA, dB, dC];
};
