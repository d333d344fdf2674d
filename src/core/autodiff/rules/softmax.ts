import { attrInt } from '../../onnx/attributes';
import { GradContext, GradRule } from '../grad-context';
import { emitReduce } from './reduce-sum';

/**
 * The axes a Softmax/LogSoftmax node normalises over. From opset 13: the single `axis` (default −1).
 * Before 13: the input is coerced to 2-D [∏ dims[:axis], ∏ dims[axis:]] (default axis 1), i.e. every
 * axis from `axis` to the last is normalised together, which needs no reshape in the backward pass.
 */
export function softmaxAxes(ctx: GradContext): number[] {
  const rank = ctx.rank(ctx.inputs[0]);
  if (ctx.opset >= 13) return [ctx.axis(attrInt(ctx.node, 'axis', -1), rank)];
  const first = ctx.axis(attrInt(ctx.node, 'axis', 1), rank);
  return Array.from({ length: rank - first }, (_, k) => first + k);
}

// Y = softmax(X):  dX = Y ⊙ (dY − Σ_axes dY ⊙ Y)   (the sum keeps dims and broadcasts back)
export const softmaxGrad: GradRule = (ctx, [dY]) => {
  const [y] = ctx.outputs;
  const dot = emitReduce(ctx, 'ReduceSum', ctx.op('Mul', [dY!, y]), softmaxAxes(ctx), true);
  return [ctx.op('Mul', [y, ctx.op('Sub', [dY!, dot])])];
};
