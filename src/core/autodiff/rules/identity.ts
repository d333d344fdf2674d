import { GradRule } from '../grad-context';

// Y = X:  dX = dY  (no node: the gradient tensor is handed straight through)
export const identityGrad: GradRule = (_ctx, [dY]) => [dY];
