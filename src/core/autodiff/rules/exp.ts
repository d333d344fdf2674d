import { GradRule } from '../grad-context';

// Y = eˣ:  dX = dY ⊙ Y  (reuses Y)
export const expGrad: GradRule = (ctx, [dY]) => [ctx.op('Mul', [dY!, ctx.outputs[0]])];
