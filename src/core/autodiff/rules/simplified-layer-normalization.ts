import { attrFloat, attrInt } from '../../onnx/attributes';
import { GradRule } from '../grad-context';
import { normInputGrad, normStats, statGrad, trailingAxes } from './layer-normalization';

/**
 * RMS normalization, shared by SimplifiedLayerNormalization (ONNX Runtime's fused op; ONNX Runtime
 * registers it in the default domain, not com.microsoft) and RMSNormalization (opset 23):
 *   r = 1/√(mean_axes X² + ε),  X̂ = X·r,  Y = X̂ ⊙ Scale   over axes [axis, rank), Scale broadcast to X;
 *   optional output 1 = r (SimplifiedLayerNormalization's inv_std_var).
 *   dX̂ = dY ⊙ Scale,  dScale = Σ_broadcast dY ⊙ X̂,  dX: see normInputGrad (RMS form).
 */
export const rmsNormGrad: GradRule = (ctx, dY) => {
  const [x, scale] = ctx.inputs;
  const axes = trailingAxes(attrInt(ctx.node, 'axis', -1), ctx.rank(x));
  const stats = normStats(ctx, x, axes, attrFloat(ctx.node, 'epsilon', 1e-5), false, x);
  const dOut = dY[0];
  const dX = ctx.needsGrad(0)
    ? normInputGrad(ctx, {
        x,
        stats,
        axes,
        centred: false,
        like: x,
        dNormalized: dOut && ctx.op('Mul', [dOut, scale]),
        dInvStd: statGrad(ctx, dY, 1),
      })
    : undefined;
  return [dX, ctx.needsGrad(1) && dOut ? ctx.unbroadcast(ctx.op('Mul', [dOut, stats.normalized]), scale) : undefined];
};

// SimplifiedLayerNormalization: Y = X / √(mean(X²) + ε) ⊙ Scale, optional inv_std_var (see rmsNormGrad)
export const simplifiedLayerNormalizationGrad: GradRule = rmsNormGrad;
