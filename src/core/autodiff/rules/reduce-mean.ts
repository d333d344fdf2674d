import { GradContext, GradRule } from '../grad-context';
import { expandReduced, keepsDims, reduceAxes } from './reduce-sum';

/**
 * How many input elements fed each output element, N = |X| / |Y|, as a scalar of `like`'s float type.
 * Read from the tensors at run time so that dynamic dims (batch, sequence) are not baked in from the probe.
 */
export function reducedCount(ctx: GradContext, x: string, y: string, like: string): string {
  const n = ctx.op('Div', [ctx.op('Size', [x]), ctx.op('Size', [y])]);
  return ctx.op('Cast', [n], { to: ctx.dtype(like) });
}

// Y = (1/N) Σ_axes X:  dX = broadcast(dY) / N,  N = |X| / |Y|
export const reduceMeanGrad: GradRule = (ctx, [dY]) => {
  const [x] = ctx.inputs;
  const spread = expandReduced(ctx, dY!, x, reduceAxes(ctx), keepsDims(ctx));
  return [ctx.op('Div', [spread, reducedCount(ctx, x, ctx.outputs[0], x)])];
};
