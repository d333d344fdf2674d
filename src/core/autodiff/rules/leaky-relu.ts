import { attrFloat } from '../../onnx/attributes';
import { GradRule } from '../grad-context';

// Y = X where X > 0, else α·X  (α = attribute alpha, default 0.01):
//   dX = dY where X > 0, else α ⊙ dY  (the kink X = 0 takes the α side, as ONNX Runtime's LeakyReluGrad does)
export const leakyReluGrad: GradRule = (ctx, [dY]) => {
  const x = ctx.inputs[0];
  const alpha = ctx.scalarLike(attrFloat(ctx.node, 'alpha', 0.01), x);
  const positive = ctx.op('Greater', [x, ctx.scalarLike(0, x)]);
  return [ctx.op('Where', [positive, dY!, ctx.op('Mul', [dY!, alpha])])];
};
