import { attrFloat } from '../../onnx/attributes';
import { GradRule } from '../grad-context';

// Y = X where X > 0, else α(eˣ − 1)  (α = attribute alpha, default 1):
//   dX = dY where X > 0, else dY ⊙ α eˣ = dY ⊙ (Y + α)  (reuses Y)
export const eluGrad: GradRule = (ctx, [dY]) => {
  const x = ctx.inputs[0];
  const y = ctx.outputs[0];
  const alpha = ctx.scalarLike(attrFloat(ctx.node, 'alpha', 1), y);
  const positive = ctx.op('Greater', [x, ctx.scalarLike(0, x)]);
  return [ctx.op('Where', [positive, dY!, ctx.op('Mul', [dY!, ctx.op('Add', [y, alpha])])])];
};
