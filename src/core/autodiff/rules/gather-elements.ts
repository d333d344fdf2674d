import { attrInt } from '../../onnx/attributes';
import { GradRule } from '../grad-context';
import { requireScatterAdd, wrappedIndices, zerosOfShape } from './gather';

// Y = gather_elements(X, I, axis), e.g. axis 0:  Y[i][j] = X[I[i][j]][j]
//   ⇒ dX[n][j] = Σ_{i : I[i][j] = n} dY[i][j], a ScatterElements with reduction='add' (indices can repeat).
export const gatherElementsGrad: GradRule = (ctx, [dY]) => {
  requireScatterAdd(ctx);
  const [data, indices] = ctx.inputs;
  const axis = ctx.axis(attrInt(ctx.node, 'axis', 0), ctx.rank(data));
  const zeros = zerosOfShape(ctx, ctx.shapeOf(data), data);
  const index = wrappedIndices(ctx, indices, data, axis);
  return [ctx.op('ScatterElements', [zeros, index, dY!], { axis, reduction: 'add' })];
};
