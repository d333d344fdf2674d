import { GradRule } from '../grad-context';

// Y = 1 / X:  dX = −dY / X² = −dY ⊙ Y²  (reuses Y)
export const reciprocalGrad: GradRule = (ctx, [dY]) => {
  const y = ctx.outputs[0];
  return [ctx.op('Neg', [ctx.op('Mul', [dY!, ctx.op('Mul', [y, y])])])];
};
