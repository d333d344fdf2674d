import { GradRule } from '../grad-context';

// Y = cos X:  dX = −dY ⊙ sin X
export const cosGrad: GradRule = (ctx, [dY]) => [ctx.op('Neg', [ctx.op('Mul', [dY!, ctx.op('Sin', [ctx.inputs[0]])])])];
