import { attrFloat, attrInt } from '../../onnx/attributes';
import { GradContext, GradientError, GradRule } from '../grad-context';
import { emitReduce } from './reduce-sum';

/** A per-channel vector (C) as (C, 1, …, 1), so that it broadcasts against X of shape (N, C, D1, …). */
export function perChannel(ctx: GradContext, v: string, rank: number): string {
  return ctx.op('Reshape', [v, ctx.int64s([-1, ...new Array(Math.max(rank - 2, 0)).fill(1)])]);
}

/** Σ over every axis but the channel axis 1: (N, C, D1, …) → (C). */
export function channelSum(ctx: GradContext, t: string, rank: number): string {
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, k) => k + 2)];
  return emitReduce(ctx, 'ReduceSum', t, axes, false);
}

/** BatchNormalization runs in training mode when asked to, or (opset < 14) when it has statistics outputs. */
function inTrainingMode(ctx: GradContext): boolean {
  return attrInt(ctx.node, 'training_mode', 0) === 1 || ctx.outputs.slice(1).some((o) => !!o);
}

// BatchNormalization, inference mode (running statistics are inputs), per channel c of X (N, C, D1, …):
//   r = 1/√(var + ε),  X̂ = (X − mean)·r,  Y = X̂ ⊙ scale + B
//   dX = dY ⊙ scale·r,  dscale = Σ dY ⊙ X̂,  dB = Σ dY,
//   dmean = −Σ dY · scale·r,  dvar = −½ Σ (dY ⊙ X̂) · scale·r²      (Σ over every axis but 1)
export const batchNormalizationGrad: GradRule = (ctx, [dY]) => {
  const [x, scale, , mean, variance] = ctx.inputs;
  if (inTrainingMode(ctx)) {
    throw new GradientError(
      `BatchNormalization node '${ctx.node.name}' runs in training mode (batch statistics); only inference mode ` +
        `(running mean/var as inputs, training_mode = 0, single output) has a gradient rule. Export the model in eval mode.`,
    );
  }
  const rank = ctx.rank(x);
  const epsilon = ctx.scalarLike(attrFloat(ctx.node, 'epsilon', 1e-5), x);
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [variance, epsilon])])]);
  const gain = ctx.op('Mul', [scale, invStd]);
  const needsNormalized = ctx.needsGrad(1) || ctx.needsGrad(4);
  const normalized = needsNormalized
    ? ctx.op('Mul', [ctx.op('Sub', [x, perChannel(ctx, mean, rank)]), perChannel(ctx, invStd, rank)])
    : undefined;
  const dYdotNormalized = normalized && channelSum(ctx, ctx.op('Mul', [dY!, normalized]), rank);
  const dYTotal = ctx.needsGrad(2) || ctx.needsGrad(3) ? channelSum(ctx, dY!, rank) : undefined;
  return [
    ctx.needsGrad(0) ? ctx.op('Mul', [dY!, perChannel(ctx, gain, rank)]) : undefined,
    ctx.needsGrad(1) ? dYdotNormalized : undefined,
    ctx.needsGrad(2) ? dYTotal : undefined,
    ctx.needsGrad(3) ? ctx.op('Neg', [ctx.op('Mul', [dYTotal!, gain])]) : undefined,
    ctx.needsGrad(4)
      ? ctx.op('Mul', [ctx.op('Mul', [dYdotNormalized!, ctx.op('Mul', [gain, invStd])]), ctx.scalarLike(-0.5, x)])
      : undefined,
  ];
};
