import { attrString } from '../../onnx/attributes';
import { GradContext, GradRule, GradientError } from '../grad-context';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

// Exact:  Y = X Φ(X),  Φ(X) = ½(1 + erf(X/√2)),  φ(X) = e^(−X²/2)/√(2π)  ⇒  Gelu′(X) = Φ(X) + X φ(X)
function exactSlope(ctx: GradContext, x: string): string {
  const erf = ctx.op('Erf', [ctx.op('Mul', [x, ctx.scalarLike(Math.SQRT1_2, x)])]);
  const cdf = ctx.op('Mul', [ctx.op('Add', [erf, ctx.scalarLike(1, x)]), ctx.scalarLike(0.5, x)]);
  const halfSquare = ctx.op('Mul', [ctx.op('Mul', [x, x]), ctx.scalarLike(-0.5, x)]);
  const pdf = ctx.op('Mul', [ctx.op('Exp', [halfSquare]), ctx.scalarLike(1 / Math.sqrt(2 * Math.PI), x)]);
  return ctx.op('Add', [cdf, ctx.op('Mul', [x, pdf])]);
}

// Tanh approximation:  Y = ½X(1 + t),  t = tanh(u),  u = √(2/π)(X + 0.044715 X³)
//   ⇒  Gelu′(X) = ½(1 + t) + ½X (1 − t²) √(2/π)(1 + 3·0.044715 X²)
function tanhSlope(ctx: GradContext, x: string): string {
  const square = ctx.op('Mul', [x, x]);
  // u = X · (√(2/π) + √(2/π)·0.044715 X²),  du/dX = √(2/π) + 3·√(2/π)·0.044715 X²
  const cubicTerm = ctx.op('Mul', [square, ctx.scalarLike(CUBIC * SQRT_2_OVER_PI, x)]);
  const u = ctx.op('Mul', [x, ctx.op('Add', [cubicTerm, ctx.scalarLike(SQRT_2_OVER_PI, x)])]);
  const t = ctx.op('Tanh', [u]);
  const half = ctx.scalarLike(0.5, x);
  const outer = ctx.op('Mul', [ctx.op('Add', [t, ctx.scalarLike(1, x)]), half]);
  const du = ctx.op('Add', [ctx.op('Mul', [square, ctx.scalarLike(3 * CUBIC * SQRT_2_OVER_PI, x)]), ctx.scalarLike(SQRT_2_OVER_PI, x)]);
  const sech2 = ctx.op('Sub', [ctx.scalarLike(1, x), ctx.op('Mul', [t, t])]);
  const inner = ctx.op('Mul', [ctx.op('Mul', [ctx.op('Mul', [x, half]), sech2]), du]);
  return ctx.op('Add', [outer, inner]);
}

// Gelu (opset 20, attribute approximate 'none' | 'tanh'; also com.microsoft Gelu, which is the exact form):
//   dX = dY ⊙ Gelu′(X), with the slope of the chosen form.
export const geluGrad: GradRule = (ctx, [dY]) => {
  const x = ctx.inputs[0];
  const approximate = attrString(ctx.node, 'approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new GradientError(`node '${ctx.node.name}' (Gelu): unknown approximate='${approximate}'; ONNX allows 'none' or 'tanh'`);
  }
  const slope = approximate === 'tanh' ? tanhSlope(ctx, x) : exactSlope(ctx, x);
  return [ctx.op('Mul', [dY!, slope])];
};
