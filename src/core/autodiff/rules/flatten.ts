import { GradRule } from '../grad-context';
import { reshapeToInput } from './reshape';

// Y = flatten(X, axis) is a reshape to 2-D:  dX = reshape(dY, shape(X))
export const flattenGrad: GradRule = (ctx, [dY]) => [reshapeToInput(ctx, dY!, ctx.inputs[0])];
