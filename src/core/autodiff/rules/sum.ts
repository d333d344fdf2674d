import { GradRule } from '../grad-context';

// Y = Σ_i X_i (variadic, broadcast):  dX_i = dY summed over X_i's broadcast axes
export const sumGrad: GradRule = (ctx, [dY]) => ctx.inputs.map((x, i) => (ctx.needsGrad(i) ? ctx.unbroadcast(dY!, x) : undefined));
