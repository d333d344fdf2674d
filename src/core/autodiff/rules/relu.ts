import { GradRule } from '../grad-context';

// Y = max(X, 0):  dX = dY where Y > 0, else 0  (reuses Y; at the kink X = 0 the gradient is 0)
export const reluGrad: GradRule = (ctx, [dY]) => {
  const y = ctx.outputs[0];
  const zero = ctx.scalarLike(0, y);
  return [ctx.op('Where', [ctx.op('Greater', [y, zero]), dY!, zero])];
};
