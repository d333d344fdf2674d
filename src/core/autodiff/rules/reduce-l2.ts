import { GradRule } from '../grad-context';
import { expandReduced, keepsDims, reduceAxes } from './reduce-sum';

// Y = √(Σ_axes X²):  dX = X ⊙ broadcast(dY / Y).
// Where Y = 0 (an all-zero slice) the norm has no gradient; we return the subgradient 0 there instead of
// the NaN that 0 · (dY / 0) would give, so one empty slice does not poison the whole update.
export const reduceL2Grad: GradRule = (ctx, [dY]) => {
  const [x] = ctx.inputs;
  const [y] = ctx.outputs;
  const zero = ctx.scalarLike(0, x);
  const perNorm = ctx.op('Where', [ctx.op('Equal', [y, zero]), zero, ctx.op('Div', [dY!, y])]);
  return [ctx.op('Mul', [x, expandReduced(ctx, perNorm, x, reduceAxes(ctx), keepsDims(ctx))])];
};
