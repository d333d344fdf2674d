import { GradRule } from '../grad-context';

// Y = √X:  dX = dY / (2√X) = (0.5 ⊙ dY) / Y  (reuses Y)
export const sqrtGrad: GradRule = (ctx, [dY]) => {
  const y = ctx.outputs[0];
  return [ctx.op('Div', [ctx.op('Mul', [dY!, ctx.scalarLike(0.5, y)]), y])];
};
