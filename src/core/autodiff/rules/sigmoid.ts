import { GradRule } from '../grad-context';

// Y = σ(X) = 1 / (1 + e⁻ˣ):  dX = dY ⊙ Y ⊙ (1 − Y)  (reuses Y)
export const sigmoidGrad: GradRule = (ctx, [dY]) => {
  const y = ctx.outputs[0];
  const slope = ctx.op('Mul', [y, ctx.op('Sub', [ctx.scalarLike(1, y), y])]);
  return [ctx.op('Mul', [dY!, slope])];
};
