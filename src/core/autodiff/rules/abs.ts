import { GradRule } from '../grad-context';

// Y = |X|:  dX = dY ⊙ sign(X)  (0 at the kink X = 0)
export const absGrad: GradRule = (ctx, [dY]) => [ctx.op('Mul', [dY!, ctx.op('Sign', [ctx.inputs[0]])])];
