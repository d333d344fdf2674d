import { GradRule } from '../grad-context';
import { expandReduced, keepsDims, reduceAxes } from './reduce-sum';

// Y = Σ_axes X²:  dX = 2 X ⊙ broadcast(dY)
export const reduceSumSquareGrad: GradRule = (ctx, [dY]) => {
  const [x] = ctx.inputs;
  const spread = expandReduced(ctx, dY!, x, reduceAxes(ctx), keepsDims(ctx));
  return [ctx.op('Mul', [spread, ctx.op('Mul', [x, ctx.scalarLike(2, x)])])];
};
