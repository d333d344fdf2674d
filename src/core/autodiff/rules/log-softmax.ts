import { GradRule } from '../grad-context';
import { emitReduce } from './reduce-sum';
import { softmaxAxes } from './softmax';

// Y = log softmax(X):  dX = dY − exp(Y) ⊙ Σ_axes dY   (exp(Y) is the softmax; the sum keeps dims)
export const logSoftmaxGrad: GradRule = (ctx, [dY]) => {
  const [y] = ctx.outputs;
  const total = emitReduce(ctx, 'ReduceSum', dY!, softmaxAxes(ctx), true);
  return [ctx.op('Sub', [dY!, ctx.op('Mul', [ctx.op('Exp', [y]), total])])];
};
