import { GradRule } from '../grad-context';

// Y = tanh(X):  dX = dY ⊙ (1 − Y²)  (reuses Y)
export const tanhGrad: GradRule = (ctx, [dY]) => {
  const y = ctx.outputs[0];
  const slope = ctx.op('Sub', [ctx.scalarLike(1, y), ctx.op('Mul', [y, y])]);
  return [ctx.op('Mul', [dY!, slope])];
};
