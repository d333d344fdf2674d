import { GradRule } from '../grad-context';

// Y = erf(X) = (2/√π) ∫₀ˣ e^(−t²) dt:  dX = dY ⊙ (2/√π) ⊙ e^(−X²)
export const erfGrad: GradRule = (ctx, [dY]) => {
  const x = ctx.inputs[0];
  const gauss = ctx.op('Exp', [ctx.op('Neg', [ctx.op('Mul', [x, x])])]);
  return [ctx.op('Mul', [dY!, ctx.op('Mul', [gauss, ctx.scalarLike(2 / Math.sqrt(Math.PI), x)])])];
};
