import { attrFloat } from '../../onnx/attributes';
import { GradRule } from '../grad-context';
import { channelSum, perChannel } from './batch-normalization';
import { normInputGrad, normStats } from './layer-normalization';

// InstanceNormalization, X (N, C, D1, …): X̂ = normalised over the spatial axes [2, rank) of each (n, c),
// Y = X̂ ⊙ scale_c + B_c.   dX̂ = dY ⊙ scale_c,  dscale = Σ dY ⊙ X̂,  dB = Σ dY  (Σ over every axis but 1),
// dX: see normInputGrad.
export const instanceNormalizationGrad: GradRule = (ctx, [dY]) => {
  const [x, scale] = ctx.inputs;
  const rank = ctx.rank(x);
  const axes = Array.from({ length: rank - 2 }, (_, k) => k + 2);
  const stats = normStats(ctx, x, axes, attrFloat(ctx.node, 'epsilon', 1e-5), true, x);
  const dNormalized = ctx.needsGrad(0) ? ctx.op('Mul', [dY!, perChannel(ctx, scale, rank)]) : undefined;
  return [
    dNormalized && normInputGrad(ctx, { x, stats, axes, centred: true, like: x, dNormalized }),
    ctx.needsGrad(1) ? channelSum(ctx, ctx.op('Mul', [dY!, stats.normalized]), rank) : undefined,
    ctx.needsGrad(2) ? channelSum(ctx, dY!, rank) : undefined,
  ];
};
