import { attrFloat, attrInt } from '../../onnx/attributes';
import { GradientError, GradRule } from '../grad-context';
import { channelSum, perChannel } from './batch-normalization';
import { normInputGrad, normStats } from './layer-normalization';

// GroupNormalization, X (N, C, D1, …) viewed as Xg (N, G, C/G · D1 · …): X̂g = normalised over axis 2.
//   opset ≥ 21: scale, bias are per channel (C):  Y = X̂ ⊙ scale_c + bias_c
//   opset 18–20: scale, bias are per group (G):   Yg = X̂g ⊙ scale_g + bias_g
//   dX̂ = dY ⊙ scale,  dscale = Σ dY ⊙ X̂,  dbias = Σ dY  (Σ over every axis but the channel/group axis),
//   dX = reshape(normInputGrad(dX̂g)).  The backward pass computes in X's type (stash_type is not mirrored).
export const groupNormalizationGrad: GradRule = (ctx, [dY]) => {
  const [x, scale] = ctx.inputs;
  const groups = attrInt(ctx.node, 'num_groups');
  if (groups === undefined) {
    throw new GradientError(`GroupNormalization node '${ctx.node.name}' has no num_groups attribute; the ONNX spec requires it`);
  }
  const rank = ctx.rank(x);
  const asGroups = (t: string) => ctx.op('Reshape', [t, ctx.int64s([0, groups, -1])]);
  const grouped = asGroups(x);
  const axes = [2];
  const stats = normStats(ctx, grouped, axes, attrFloat(ctx.node, 'epsilon', 1e-5), true, x);
  const perChannelParams = ctx.opset >= 21;
  // The output gradient and X̂ in the layout where scale/bias broadcast: (N, C, D…) or (N, G, ·).
  const dOut = perChannelParams ? dY! : asGroups(dY!);
  const normalized = perChannelParams ? ctx.op('Reshape', [stats.normalized, ctx.shapeOf(x)]) : stats.normalized;
  const outRank = perChannelParams ? rank : 3;
  let dX: string | undefined;
  if (ctx.needsGrad(0)) {
    const dNormalized = ctx.op('Mul', [dOut, perChannel(ctx, scale, outRank)]);
    const dGrouped = normInputGrad(ctx, {
      x: grouped,
      stats,
      axes,
      centred: true,
      like: x,
      dNormalized: perChannelParams ? asGroups(dNormalized) : dNormalized,
    });
    dX = ctx.op('Reshape', [dGrouped!, ctx.shapeOf(x)]);
  }
  return [
    dX,
    ctx.needsGrad(1) ? channelSum(ctx, ctx.op('Mul', [dOut, normalized]), outRank) : undefined,
    ctx.needsGrad(2) ? channelSum(ctx, dOut, outRank) : undefined,
  ];
};
