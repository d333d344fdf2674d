import { attrFloat } from '../../onnx/attributes';
import { GradContext, GradRule } from '../grad-context';

const FLOAT_MAX = 3.4028234663852886e38;

/** The scalar bounds: inputs 1 and 2 from opset 11 on (either may be omitted), attributes before. */
function boundsOf(ctx: GradContext): { lo?: string; hi?: string } {
  const x = ctx.inputs[0];
  if (ctx.opset >= 11) return { lo: ctx.inputs[1] || undefined, hi: ctx.inputs[2] || undefined };
  return {
    lo: ctx.scalarLike(attrFloat(ctx.node, 'min', -FLOAT_MAX), x),
    hi: ctx.scalarLike(attrFloat(ctx.node, 'max', FLOAT_MAX), x),
  };
}

// Y = min(max(X, lo), hi)  (lo, hi scalars):
//   dX  = dY where lo < X < hi, else 0  (at X = lo or X = hi the gradient goes to the bound, not to X)
//   dlo = Σ dY where X ≤ lo,  dhi = Σ dY where X ≥ hi  (only when a bound is itself trainable)
export const clipGrad: GradRule = (ctx, [dY]) => {
  const x = ctx.inputs[0];
  const zero = ctx.scalarLike(0, ctx.outputs[0]);
  const { lo, hi } = boundsOf(ctx);
  const aboveLo = lo ? ctx.op('Greater', [x, lo]) : undefined;
  const belowHi = hi ? ctx.op('Less', [x, hi]) : undefined;
  const inside = aboveLo && belowHi ? ctx.op('And', [aboveLo, belowHi]) : (aboveLo ?? belowHi);
  const dX = ctx.needsGrad(0) ? (inside ? ctx.op('Where', [inside, dY!, zero]) : dY) : undefined;
  // Σ over every element of dY where the bound was active, as a scalar like the bound.
  const boundGrad = (active: string) => ctx.op('ReduceSum', [ctx.op('Where', [active, zero, dY!])], { keepdims: 0 });
  return [
    dX,
    ctx.needsGrad(1) && aboveLo ? boundGrad(aboveLo) : undefined,
    ctx.needsGrad(2) && belowHi ? boundGrad(belowHi) : undefined,
  ];
};
