import { GradRule } from '../grad-context';

// Y = A / B:  dA = dY / B,  dB = −dY ⊙ A / B² = −dY ⊙ Y / B  (reuses Y; each summed over its broadcast axes)
export const divGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  const y = ctx.outputs[0];
  return [
    ctx.needsGrad(0) ? ctx.unbroadcast(ctx.op('Div', [dY!, b]), a) : undefined,
    ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Neg', [ctx.op('Div', [ctx.op('Mul', [dY!, y]), b])]), b) : undefined,
  ];
};
