import { attrInts } from '../../onnx/attributes';
import { GradRule } from '../grad-context';

// Y = transpose(X, p), i.e. Y.shape[k] = X.shape[p[k]]:  dX = transpose(dY, p⁻¹) with p⁻¹[p[k]] = k.
// Without `perm` the axes are reversed, which is its own inverse, so the backward node omits it too.
export const transposeGrad: GradRule = (ctx, [dY]) => {
  const perm = attrInts(ctx.node, 'perm');
  if (!perm) return [ctx.op('Transpose', [dY!])];
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, k) => (inverse[p] = k));
  return [ctx.op('Transpose', [dY!], { perm: inverse })];
};
