import { GradContext, GradRule } from '../grad-context';

/**
 * Gradient of Max/Min (variadic, broadcast): each element of dY goes to the one input that produced
 * Y there. Ties go to the first such input (lowest input index), so the gradient is not split:
 *   mask_i = [X_i = Y] ∧ ¬(mask_0 ∨ … ∨ mask_{i−1}),  dX_i = dY where mask_i else 0, summed over
 *   X_i's broadcast axes.
 * Masks are built only up to the last input that needs a gradient.
 */
export function selectedInputGrad(ctx: GradContext, dY: string): (string | undefined)[] {
  const y = ctx.outputs[0];
  const zero = ctx.scalarLike(0, y);
  const last = ctx.inputs.reduce((k, _x, i) => (ctx.needsGrad(i) ? i : k), -1);
  const grads: (string | undefined)[] = ctx.inputs.map(() => undefined);
  let taken: string | undefined;
  for (let i = 0; i <= last; i++) {
    const x = ctx.inputs[i];
    const hits = ctx.op('Equal', [x, y]);
    const mask = taken === undefined ? hits : ctx.op('And', [hits, ctx.op('Not', [taken])]);
    if (ctx.needsGrad(i)) grads[i] = ctx.unbroadcast(ctx.op('Where', [mask, dY, zero]), x);
    if (i < last) taken = taken === undefined ? hits : ctx.op('Or', [taken, hits]);
  }
  return grads;
}

// Y = max(X_0, …, X_{n−1}):  dX_i = dY where X_i is the (first) maximum, else 0
export const maxGrad: GradRule = (ctx, [dY]) => selectedInputGrad(ctx, dY!);
