import { GradRule } from '../grad-context';

// Y = (1/n) Σ_i X_i (variadic, broadcast):  dX_i = dY / n, summed over X_i's broadcast axes
export const meanGrad: GradRule = (ctx, [dY]) => {
  const scaled = ctx.op('Mul', [dY!, ctx.scalarLike(1 / ctx.inputs.length, ctx.outputs[0])]);
  return ctx.inputs.map((x, i) => (ctx.needsGrad(i) ? ctx.unbroadcast(scaled, x) : undefined));
};
