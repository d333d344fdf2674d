import { GradRule } from '../grad-context';

// Y = A ⊙ B:  dA = dY ⊙ B,  dB = dY ⊙ A  (each summed over its broadcast axes)
export const mulGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  return [
    ctx.needsGrad(0) ? ctx.unbroadcast(ctx.op('Mul', [dY!, b]), a) : undefined,
    ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Mul', [dY!, a]), b) : undefined,
  ];
};
