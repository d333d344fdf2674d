import { GradRule } from '../grad-context';

// Y = sin X:  dX = dY ⊙ cos X
export const sinGrad: GradRule = (ctx, [dY]) => [ctx.op('Mul', [dY!, ctx.op('Cos', [ctx.inputs[0]])])];
