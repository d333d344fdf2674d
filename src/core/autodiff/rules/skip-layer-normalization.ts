import { attrFloat } from '../../onnx/attributes';
import { GradRule } from '../grad-context';
import { normInputGrad, normStats, statGrad } from './layer-normalization';

/** ONNX Runtime's default epsilon for com.microsoft SkipLayerNormalization (kDefaultSkipLayerNormEpsilon). */
const SKIP_LAYER_NORM_EPSILON = 1e-12;

// com.microsoft SkipLayerNormalization, normalising the last axis:
//   S = input + skip (+ bias),  Y = LN(S) ⊙ gamma (+ beta);
//   outputs: Y, mean μ, inv_std_var r, input_skip_bias_sum S  (skip may broadcast: (1,s,h) or (s,h))
//   dS = LN backward of dY ⊙ gamma (+ μ, r terms) + dS_out,  dInput = dS,  dSkip = Σ_broadcast dS,
//   dBias = Σ_leading dS,  dGamma = Σ_leading dY ⊙ Ŝ,  dBeta = Σ_leading dY
export const skipLayerNormalizationGrad: GradRule = (ctx, dY) => {
  const [input, skip, gamma, beta, bias] = ctx.inputs;
  const inputSkip = ctx.op('Add', [input, skip]);
  const sum = bias ? ctx.op('Add', [inputSkip, bias]) : inputSkip;
  const axes = [ctx.rank(input) - 1];
  const stats = normStats(ctx, sum, axes, attrFloat(ctx.node, 'epsilon', SKIP_LAYER_NORM_EPSILON), true, input);
  const dOut = dY[0];
  const needsSumGrad = ctx.needsGrad(0) || ctx.needsGrad(1) || (!!bias && ctx.needsGrad(4));
  const throughNorm = needsSumGrad
    ? normInputGrad(ctx, {
        x: sum,
        stats,
        axes,
        centred: true,
        like: input,
        dNormalized: dOut && ctx.op('Mul', [dOut, gamma]),
        dMean: statGrad(ctx, dY, 1),
        dInvStd: statGrad(ctx, dY, 2),
      })
    : undefined;
  const dSumOut = dY[3];
  const dSum = throughNorm && dSumOut ? ctx.op('Add', [throughNorm, dSumOut]) : (throughNorm ?? dSumOut);
  return [
    ctx.needsGrad(0) ? dSum : undefined,
    ctx.needsGrad(1) && dSum ? ctx.unbroadcast(dSum, skip) : undefined,
    ctx.needsGrad(2) && dOut ? ctx.unbroadcast(ctx.op('Mul', [dOut, stats.normalized]), gamma) : undefined,
    beta && ctx.needsGrad(3) && dOut ? ctx.unbroadcast(dOut, beta) : undefined,
    bias && ctx.needsGrad(4) && dSum ? ctx.unbroadcast(dSum, bias) : undefined,
  ];
};
