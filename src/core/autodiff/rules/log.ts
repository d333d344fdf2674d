import { GradRule } from '../grad-context';

// Y = ln X:  dX = dY / X
export const logGrad: GradRule = (ctx, [dY]) => [ctx.op('Div', [dY!, ctx.inputs[0]])];
