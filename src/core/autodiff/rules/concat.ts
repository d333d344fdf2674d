import { attrInt } from '../../onnx/attributes';
import { GradientError, GradRule } from '../grad-context';

// Y = concat(X_0 … X_n, axis):  dX_i = dY[…, o_i : o_i + s_i, …] along axis, with s_i = shape(X_i)[axis]
// and o_i = Σ_{j<i} s_j. The sizes come from Shape at run time, so a dynamic sequence axis works.
export const concatGrad: GradRule = (ctx, [dY]) => {
  const axisAttr = attrInt(ctx.node, 'axis');
  if (axisAttr === undefined) {
    throw new GradientError(`node '${ctx.node.name}' (Concat): missing the required 'axis' attribute; fix the exporter output`);
  }
  const axis = ctx.int64s([ctx.axis(axisAttr, ctx.rank(ctx.outputs[0]))]);
  const lastNeeded = ctx.inputs.reduce((last, _, i) => (ctx.needsGrad(i) ? i : last), -1);
  const grads: (string | undefined)[] = [];
  let offset = ctx.int64s([0]);
  for (let i = 0; i <= lastNeeded; i++) {
    const end = ctx.op('Add', [offset, ctx.op('Gather', [ctx.shapeOf(ctx.inputs[i]), axis])]);
    grads.push(ctx.needsGrad(i) ? ctx.op('Slice', [dY!, offset, end, axis]) : undefined);
    offset = end;
  }
  return grads;
};
