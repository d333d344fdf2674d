import { GradRule } from '../grad-context';

// Y = Where(C, A, B) = C ? A : B (broadcast):  dA = dY where C else 0,  dB = dY where ¬C else 0,
// each summed over its broadcast axes; the boolean condition C gets no gradient.
export const whereGrad: GradRule = (ctx, [dY]) => {
  const [condition, a, b] = ctx.inputs;
  const zero = ctx.scalarLike(0, ctx.outputs[0]);
  return [
    undefined,
    ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Where', [condition, dY!, zero]), a) : undefined,
    ctx.needsGrad(2) ? ctx.unbroadcast(ctx.op('Where', [condition, zero, dY!]), b) : undefined,
  ];
};
