import { attrInt, attrString } from '../../onnx/attributes';
import { DataType } from '../../onnx/types';
import { GradContext, GradRule, GradientError } from '../grad-context';

/**
 * What both class losses (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss) share, for inputs
 * X [N, C, D1…Dk], labels y [N, D1…Dk], optional class weights w [C]:
 *   ℓ_i = −c_i · X[i, y_i],  c_i = w[y_i] · [y_i ≠ ignore_index]   (w ≡ 1 without weights)
 *   none: Y_i = ℓ_i;  sum: Y = Σ_i ℓ_i;  mean: Y = Σ_i ℓ_i / Σ_i c_i
 * so dY/dX[i, y_i] = −coef_i with coef_i = c_i · g_i, where g_i = dY_i (none), dY (sum), dY / Σ c (mean).
 */
export interface LabelCoefficients {
  /** Labels with ignored entries replaced by class 0, unsqueezed on the class axis: [N, 1, D1…Dk] int64. */
  labelIndex: string;
  /** coef_i unsqueezed on the class axis: [N, 1, D1…Dk], the float type of X. */
  coef: string;
}

/** Unsqueeze that follows the opset (axes attribute before 13, input from 13). */
export function unsqueezeAxes(ctx: GradContext, x: string, axes: number[]): string {
  return ctx.opset >= 13 ? ctx.op('Unsqueeze', [x, ctx.int64s(axes)]) : ctx.op('Unsqueeze', [x], { axes });
}

/** ReduceSum with keepdims that follows the opset (axes attribute before 13, input from 13). */
export function reduceSumAxes(ctx: GradContext, x: string, axes: number[]): string {
  return ctx.opset >= 13
    ? ctx.op('ReduceSum', [x, ctx.int64s(axes)], { keepdims: 1 })
    : ctx.op('ReduceSum', [x], { axes, keepdims: 1 });
}

/** Class weights are taken as constants: a path from a trainable tensor into them is refused. */
export function rejectWeightGradient(ctx: GradContext): void {
  const weights = ctx.inputs[2];
  if (weights && ctx.needsGrad(2)) {
    throw new GradientError(
      `node '${ctx.node.name}' (${ctx.node.opType}): the gradient with respect to the class weights '${weights}' is not supported; ` +
        `make the weights a frozen initializer (or a graph input that no trainable tensor feeds)`,
    );
  }
}

export function labelCoefficients(ctx: GradContext, dY: string): LabelCoefficients {
  const [x, labels, weights] = ctx.inputs;
  const floatType = ctx.dtype(x);
  const reduction = attrString(ctx.node, 'reduction', 'mean');
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new GradientError(`node '${ctx.node.name}' (${ctx.node.opType}): unknown reduction '${reduction}' (expected mean, sum or none)`);
  }
  const ignoreIndex = attrInt(ctx.node, 'ignore_index');
  // int32 labels are widened so that every index constant below can be int64.
  const labels64 = ctx.dtype(labels) === DataType.INT64 ? labels : ctx.op('Cast', [labels], { to: DataType.INT64 });

  // counted_i = [y_i ≠ ignore_index]; ignored labels may lie outside [0, C), so they index class 0 instead
  // (their coefficient is 0, so the class they point at does not matter).
  let safeLabels = labels64;
  let counted: string | undefined;
  if (ignoreIndex !== undefined) {
    const keep = ctx.op('Not', [ctx.op('Equal', [labels64, ctx.int64s([ignoreIndex])])]);
    safeLabels = ctx.op('Where', [keep, labels64, ctx.int64s([0])]);
    counted = ctx.op('Cast', [keep], { to: floatType });
  }
  // c_i = w[y_i] · counted_i   [N, D1…Dk]
  let c = counted;
  if (weights) {
    const picked = ctx.op('Gather', [weights, safeLabels], { axis: 0 });
    c = counted ? ctx.op('Mul', [picked, counted]) : picked;
  }

  // g_i per reduction; without weights or ignored labels, Σ c is the label count N·D1⋯Dk.
  let g = dY;
  if (reduction === 'mean') {
    const total = c
      ? ctx.op('ReduceSum', [c], { keepdims: 0 })
      : ctx.op('Cast', [ctx.op('Size', [labels])], { to: floatType });
    g = ctx.op('Div', [dY, total]);
  }
  const coef = c ? ctx.op('Mul', [g, c]) : reduction === 'none' ? g : ctx.op('Expand', [g, ctx.shapeOf(labels)]);
  return { labelIndex: unsqueezeAxes(ctx, safeLabels, [1]), coef: unsqueezeAxes(ctx, coef, [1]) };
}

/** The class-loss gradient with respect to X alone: −coef_i at [i, y_i], zero elsewhere.  [N, C, D1…Dk] */
export function classLossInputGrad(ctx: GradContext, dY: string): string {
  const x = ctx.inputs[0];
  const { labelIndex, coef } = labelCoefficients(ctx, dY);
  return ctx.op('ScatterElements', [ctx.zerosLike(x), labelIndex, ctx.op('Neg', [coef])], { axis: 1 });
}

// Y = NLL(X, y[, w]):  dX[i, y_i] = −c_i · g_i  (see LabelCoefficients), zero at every other class.
export const negativeLogLikelihoodLossGrad: GradRule = (ctx, [dY]) => {
  rejectWeightGradient(ctx);
  return [ctx.needsGrad(0) ? classLossInputGrad(ctx, dY!) : undefined, undefined, undefined];
};
