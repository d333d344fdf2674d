import { GradRule } from '../grad-context';

// Y = ln(1 + eˣ):  dX = dY ⊙ σ(X)
export const softplusGrad: GradRule = (ctx, [dY]) => [ctx.op('Mul', [dY!, ctx.op('Sigmoid', [ctx.inputs[0]])])];
