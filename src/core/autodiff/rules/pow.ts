import { GradRule } from '../grad-context';

// Y = A^B  (broadcast; the exponent B may have another type than A, e.g. an int64 or float constant):
//   dA = dY ⊙ B ⊙ A^(B−1)
//   dB = dY ⊙ Y ⊙ ln A, set to 0 where A = 0 (Y ⊙ ln A → 0 there for B > 0; avoids 0 · −∞ = NaN).
//        Real only for A > 0: a trainable exponent on a negative base gives NaN, as in PyTorch.
// Each is summed over its broadcast axes.
export const powGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  const y = ctx.outputs[0];
  const sameType = ctx.dtype(a) === ctx.dtype(b);
  let dA: string | undefined;
  if (ctx.needsGrad(0)) {
    const exponent = sameType ? b : ctx.op('Cast', [b], { to: ctx.dtype(a) });
    const lowered = ctx.op('Pow', [a, ctx.op('Sub', [exponent, ctx.scalarLike(1, a)])]);
    dA = ctx.unbroadcast(ctx.op('Mul', [dY!, ctx.op('Mul', [exponent, lowered])]), a);
  }
  let dB: string | undefined;
  if (ctx.needsGrad(1)) {
    const zero = ctx.scalarLike(0, y);
    const raw = ctx.op('Mul', [dY!, ctx.op('Mul', [y, ctx.op('Log', [a])])]);
    const safe = ctx.op('Where', [ctx.op('Equal', [a, ctx.scalarLike(0, a)]), zero, raw]);
    const summed = ctx.unbroadcast(safe, b);
    dB = sameType ? summed : ctx.op('Cast', [summed], { to: ctx.dtype(b) });
  }
  return [dA, dB];
};
