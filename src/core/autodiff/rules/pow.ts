import { GradRule } from '../grad-context';

// Y = A^B  (broadcast; the exponent B may have another type than A, e.g. an int64 or float constant):
//   dA = dY ⊙ B ⊙ A^(B−1)
//   dB = dY ⊙ Y ⊙ ln A, set to 0 where A = 0 (Y ⊙ ln A → 0 there for B > 0; avoids 0 · −∞ = NaN).
//        Real only for A > 0: a trainable exponent on a negative base gives NaN, as in PyTorch.
// Each is summed over its broadcast axes. A constant scalar exponent c (RMSNorm's x²) needs no Pow:
//   c = 2: dA = dY ⊙ 2A;  c = 1: dA = dY;  otherwise dA = dY ⊙ c·A^(c−1) with c − 1 folded.
export const powGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  const y = ctx.outputs[0];
  const sameType = ctx.dtype(a) === ctx.dtype(b);
  const exponent = ctx.constantValues(b);
  let dA: string | undefined;
  if (ctx.needsGrad(0) && !ctx.needsGrad(1) && exponent?.length === 1) {
    const c = exponent[0];
    if (c === 1) return [ctx.unbroadcast(dY!, a), undefined];
    const local = c === 2 ? ctx.op('Mul', [a, ctx.scalarLike(2, a)]) : ctx.op('Mul', [ctx.scalarLike(c, a), ctx.op('Pow', [a, ctx.scalarLike(c - 1, a)])]);
    return [ctx.unbroadcast(ctx.op('Mul', [dY!, local]), a), undefined];
  }
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
