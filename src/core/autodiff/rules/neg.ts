import { GradRule } from '../grad-context';

// Y = −X:  dX = −dY
export const negGrad: GradRule = (ctx, [dY]) => [ctx.op('Neg', [dY!])];
