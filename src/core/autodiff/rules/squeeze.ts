import { GradRule } from '../grad-context';
import { reshapeToInput } from './reshape';

// Y = squeeze(X, axes) only drops size-1 axes:  dX = reshape(dY, shape(X)). Reshaping to X's runtime shape
// works the same whether the axes are an attribute (opset < 13), an input, or absent (squeeze every 1).
export const squeezeGrad: GradRule = (ctx, [dY]) => [reshapeToInput(ctx, dY!, ctx.inputs[0])];
