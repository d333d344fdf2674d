import { GradRule } from '../grad-context';
import { expandReduced, keepsDims, reduceAxes } from './reduce-sum';

// Y = log Σ_axes exp(X):  dX = broadcast(dY) ⊙ exp(X − broadcast(Y))   (the softmax of X over the axes)
export const reduceLogSumExpGrad: GradRule = (ctx, [dY]) => {
  const [x] = ctx.inputs;
  const axes = reduceAxes(ctx);
  const keepdims = keepsDims(ctx);
  const softmax = ctx.op('Exp', [ctx.op('Sub', [x, expandReduced(ctx, ctx.outputs[0], x, axes, keepdims)])]);
  return [ctx.op('Mul', [expandReduced(ctx, dY!, x, axes, keepdims), softmax])];
};
