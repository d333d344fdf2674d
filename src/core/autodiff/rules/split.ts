import { attrInt } from '../../onnx/attributes';
import { GradRule } from '../grad-context';

// Y_0 … Y_n = split(X, axis) cut X into consecutive pieces:  dX = concat(dY_0 … dY_n, axis). The sizes
// (attribute, `split` input from opset 13, or `num_outputs` from opset 18) never need to be read: each
// dY_k already has its piece's shape, and an output nothing consumed contributes zeros shaped like it.
export const splitGrad: GradRule = (ctx, dYs) => {
  const pieces = ctx.outputs.map((y, k) => dYs[k] ?? ctx.zerosLike(y));
  return [ctx.op('Concat', pieces, { axis: attrInt(ctx.node, 'axis', 0) })];
};
