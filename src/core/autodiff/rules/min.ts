import { GradRule } from '../grad-context';
import { selectedInputGrad } from './max';

// Y = min(X_0, …, X_{n−1}):  dX_i = dY where X_i is the (first) minimum, else 0  (ties: see selectedInputGrad)
export const minGrad: GradRule = (ctx, [dY]) => selectedInputGrad(ctx, dY!);
