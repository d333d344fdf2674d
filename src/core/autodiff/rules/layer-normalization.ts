// LayerNormalization and the normalization core that the other normalization rules reuse: the
// statistics and the input gradient of X̂ = (X − μ)·r over a set of axes, built from primitive ops
// (ReduceMean, Mul, Sqrt…) rather than com.microsoft LayerNormalizationGrad, so any runtime can run it.
import { attrFloat, attrInt } from '../../onnx/attributes';
import { GradContext, GradRule } from '../grad-context';
import { reducedCount } from './reduce-mean';
import { emitReduce } from './reduce-sum';

/** Per-slice statistics, kept as size-1 dims so they broadcast against X. */
export interface NormStats {
  /** r = 1/√(σ² + ε) */
  invStd: string;
  /** X̂ = (X − μ)·r, or X·r for the RMS form. */
  normalized: string;
}

/** The axes from `first` (may be negative) to the last one. */
export function trailingAxes(first: number, rank: number): number[] {
  const from = first < 0 ? first + rank : first;
  return Array.from({ length: rank - from }, (_, k) => from + k);
}

// centred: μ = mean_axes X, σ² = mean_axes (X − μ)²;   RMS (centred = false): μ = 0, σ² = mean_axes X²
// r = 1/√(σ² + ε),  X̂ = (X − μ)·r                 (μ, σ², r keep dims; ε takes `like`'s float type)
export function normStats(ctx: GradContext, x: string, axes: number[], epsilon: number, centred: boolean, like: string): NormStats {
  const dev = centred ? ctx.op('Sub', [x, emitReduce(ctx, 'ReduceMean', x, axes, true)]) : x;
  const variance = emitReduce(ctx, 'ReduceMean', ctx.op('Mul', [dev, dev]), axes, true);
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.scalarLike(epsilon, like)])])]);
  return { invStd, normalized: ctx.op('Mul', [dev, invStd]) };
}

/** A gradient arriving at a statistics output (Mean or InvStdDev) of the forward node. */
export interface StatGrad {
  grad: string;
  /** The forward output it belongs to (its dtype may differ from X's: ORT stashes stats in float32). */
  output: string;
}

export interface NormInputGradArgs {
  /** The tensor that was normalised and the axes it was normalised over. */
  x: string;
  stats: NormStats;
  centred: boolean;
  /** A forward tensor with X's float type (for constants and casts). */
  like: string;
  /** dL/dX̂, shaped like x. */
  dNormalized?: string;
  dMean?: StatGrad;
  dInvStd?: StatGrad;
  axes: number[];
}

/** A statistics gradient in X's float type, reshaped to the kept-dims shape of r. */
function alignStatGrad(ctx: GradContext, s: StatGrad, stats: NormStats, like: string): string {
  const typed = ctx.dtype(s.output) === ctx.dtype(like) ? s.grad : ctx.op('Cast', [s.grad], { to: ctx.dtype(like) });
  return ctx.op('Reshape', [typed, ctx.shapeOf(stats.invStd)]);
}

// dX = r ⊙ (dX̂ − mean(dX̂) − X̂ ⊙ mean(dX̂ ⊙ X̂))     [RMS form: without − mean(dX̂)]
//    + dμ / N                                      (Mean output: ∂μ/∂X = 1/N)
//    − dr ⊙ r² ⊙ X̂ / N                             (InvStdDev output: ∂r/∂X = −r³ (X − μ)/N)
// with means over `axes` (kept dims) and N = the number of elements per normalised slice.
export function normInputGrad(ctx: GradContext, a: NormInputGradArgs): string | undefined {
  const { stats, axes } = a;
  const terms: string[] = [];
  if (a.dNormalized) {
    const mean = (t: string) => emitReduce(ctx, 'ReduceMean', t, axes, true);
    const projection = ctx.op('Mul', [stats.normalized, mean(ctx.op('Mul', [a.dNormalized, stats.normalized]))]);
    let inner = ctx.op('Sub', [a.dNormalized, projection]);
    if (a.centred) inner = ctx.op('Sub', [inner, mean(a.dNormalized)]);
    terms.push(ctx.op('Mul', [stats.invStd, inner]));
  }
  if (a.dMean || a.dInvStd) {
    const count = reducedCount(ctx, a.x, stats.invStd, a.like);
    if (a.dMean) {
      const perElement = ctx.op('Div', [alignStatGrad(ctx, a.dMean, stats, a.like), count]);
      terms.push(ctx.op('Expand', [perElement, ctx.shapeOf(a.x)]));
    }
    if (a.dInvStd) {
      const dr = alignStatGrad(ctx, a.dInvStd, stats, a.like);
      const slope = ctx.op('Div', [ctx.op('Mul', [ctx.op('Mul', [stats.invStd, stats.invStd]), stats.normalized]), count]);
      terms.push(ctx.op('Neg', [ctx.op('Mul', [dr, slope])]));
    }
  }
  if (terms.length <= 1) return terms[0];
  return ctx.op('Sum', terms);
}

/** The StatGrad for output k of the forward node, if a gradient reached it. */
export function statGrad(ctx: GradContext, dY: (string | undefined)[], k: number): StatGrad | undefined {
  const grad = dY[k];
  return grad ? { grad, output: ctx.outputs[k] } : undefined;
}

// LayerNormalization (opset 17): X̂ = normalised over axes [axis, rank), Y = X̂ ⊙ Scale + B
// (Scale, B broadcast to X); optional outputs Mean (μ) and InvStdDev (r).
//   dX̂ = dY ⊙ Scale,  dScale = Σ_broadcast dY ⊙ X̂,  dB = Σ_broadcast dY,  dX: see normInputGrad.
// The backward pass computes in X's type; stash_type (float32 statistics for float16 X) is not mirrored.
export const layerNormalizationGrad: GradRule = (ctx, dY) => {
  const [x, scale, bias] = ctx.inputs;
  const axes = trailingAxes(attrInt(ctx.node, 'axis', -1), ctx.rank(x));
  const stats = normStats(ctx, x, axes, attrFloat(ctx.node, 'epsilon', 1e-5), true, x);
  const dOut = dY[0];
  const dX = ctx.needsGrad(0)
    ? normInputGrad(ctx, {
        x,
        stats,
        axes,
        centred: true,
        like: x,
        dNormalized: dOut && ctx.op('Mul', [dOut, scale]),
        dMean: statGrad(ctx, dY, 1),
        dInvStd: statGrad(ctx, dY, 2),
      })
    : undefined;
  return [
    dX,
    ctx.needsGrad(1) && dOut ? ctx.unbroadcast(ctx.op('Mul', [dOut, stats.normalized]), scale) : undefined,
    bias && ctx.needsGrad(2) && dOut ? ctx.unbroadcast(dOut, bias) : undefined,
  ];
};
