import { GradRule } from '../grad-context';
import { reshapeToInput } from './reshape';

// Y = unsqueeze(X, axes) only inserts size-1 axes:  dX = reshape(dY, shape(X)), whichever opset form the
// axes take (attribute before opset 13, input after).
export const unsqueezeGrad: GradRule = (ctx, [dY]) => [reshapeToInput(ctx, dY!, ctx.inputs[0])];
