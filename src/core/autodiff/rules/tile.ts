import { GradRule } from '../grad-context';
import { DataType } from '../../onnx/types';

// Y = tile(X, r):  Y[t_0·d_0 + i_0, t_1·d_1 + i_1, …] = X[i_0, i_1, …]. Viewing dY as
// [r_0, d_0, r_1, d_1, …] puts every copy of X[i] on the r axes, so dX = Σ over axes 0, 2, 4, …
// The interleaved shape is built from Shape(X) and repeats at run time (dynamic dims and repeats work).
export const tileGrad: GradRule = (ctx, [dY]) => {
  const [x, repeats] = ctx.inputs;
  const rank = ctx.rank(x);
  const column = ctx.int64s([1]);
  const r = ctx.dtype(repeats) === DataType.INT64 ? repeats : ctx.op('Cast', [repeats], { to: DataType.INT64 });
  const pairs = ctx.op('Concat', [ctx.op('Unsqueeze', [r, column]), ctx.op('Unsqueeze', [ctx.shapeOf(x), column])], { axis: 1 });
  const interleaved = ctx.op('Reshape', [pairs, ctx.int64s([-1])]);
  const copyAxes = Array.from({ length: rank }, (_, k) => 2 * k);
  return [ctx.op('ReduceSum', [ctx.op('Reshape', [dY!, interleaved]), ctx.int64s(copyAxes)], { keepdims: 0 })];
};
