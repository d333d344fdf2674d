import { GradRule } from '../grad-context';

// Y = expand(X, s) broadcasts X:  dX = dY summed over the axes broadcasting added or stretched from 1
export const expandGrad: GradRule = (ctx, [dY]) => [ctx.unbroadcast(dY!, ctx.inputs[0])];
