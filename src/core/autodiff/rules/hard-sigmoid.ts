import { attrFloat } from '../../onnx/attributes';
import { GradRule } from '../grad-context';

// Y = max(0, min(1, α·X + β))  (α default 0.2, β default 0.5):
//   dX = α ⊙ dY where 0 < Y < 1 (the linear part), else 0  (reuses Y; the two kinks get 0)
export const hardSigmoidGrad: GradRule = (ctx, [dY]) => {
  const y = ctx.outputs[0];
  const linear = ctx.op('And', [ctx.op('Greater', [y, ctx.scalarLike(0, y)]), ctx.op('Less', [y, ctx.scalarLike(1, y)])]);
  const scaled = ctx.op('Mul', [dY!, ctx.scalarLike(attrFloat(ctx.node, 'alpha', 0.2), y)]);
  return [ctx.op('Where', [linear, scaled, ctx.scalarLike(0, y)])];
};
