import { GradRule } from '../grad-context';
import { emitReduce, expandReduced, keepsDims, reduceAxes } from './reduce-sum';

/**
 * Y = max_axes X (or min):  dX = broadcast(dY) ⊙ M / Σ_axes M,  M = [X == broadcast(Y)].
 * Ties split the gradient evenly among the tied elements (as TensorFlow does), so the total that flows
 * back equals dY and the rule is symmetric in the tied entries; PyTorch's amax/amin do the same.
 */
export const reduceExtremumGrad: GradRule = (ctx, [dY]) => {
  const [x] = ctx.inputs;
  const axes = reduceAxes(ctx);
  if (axes && axes.length === 0) return [dY];
  const keepdims = keepsDims(ctx);
  const hits = ctx.op('Cast', [ctx.op('Equal', [x, expandReduced(ctx, ctx.outputs[0], x, axes, keepdims)])], { to: ctx.dtype(x) });
  const tieCount = emitReduce(ctx, 'ReduceSum', hits, axes, true);
  return [ctx.op('Div', [ctx.op('Mul', [expandReduced(ctx, dY!, x, axes, keepdims), hits]), tieCount])];
};

// Y = max_axes X: the gradient goes to the maximum (ties split, see reduceExtremumGrad)
export const reduceMaxGrad: GradRule = reduceExtremumGrad;
