import { attrInt } from '../../onnx/attributes';
import { makeTensor } from '../../onnx/tensor-data';
import { DataType } from '../../onnx/types';
import { GradContext, GradientError, GradRule } from '../grad-context';

/** Zeros of the float type of `like`, shaped by the 1-D int64 tensor `shape`. */
export function zerosOfShape(ctx: GradContext, shape: string, like: string): string {
  return ctx.op('ConstantOfShape', [shape], { value: makeTensor('value', [1], ctx.dtype(like), [0]) });
}

/** The scatter-add ops (ScatterND / ScatterElements with reduction='add') arrived in opset 16. */
export function requireScatterAdd(ctx: GradContext): void {
  if (ctx.opset < 16) {
    throw new GradientError(
      `node '${ctx.node.name}' (${ctx.node.opType}): its gradient accumulates with reduction='add' scatters, which need ` +
        `opset ≥ 16 but the model is opset ${ctx.opset}; re-export it with a newer opset (torch.onnx.export(..., opset_version=17))`,
    );
  }
}

/**
 * Indices as int64 in [0, n) with n = shape(data)[axis]: ONNX gathers accept negative indices
 * (counting from the end) but ScatterND's spec does not, so wrap them with Mod (sign of the divisor).
 */
export function wrappedIndices(ctx: GradContext, indices: string, data: string, axis: number): string {
  const asInt64 = ctx.dtype(indices) === DataType.INT64 ? indices : ctx.op('Cast', [indices], { to: DataType.INT64 });
  const n = ctx.op('Squeeze', [ctx.op('Gather', [ctx.shapeOf(data), ctx.int64s([axis])])]);
  return ctx.op('Mod', [asInt64, n]);
}

// Y = gather(X, I, axis):  Y[p, j, q] = X[p, I[j], q]  ⇒  dX[p, i, q] = Σ_{j : I[j] = i} dY[p, j, q]
// (p: the axes before `axis`, j: I's axes, q: the rest). Repeated indices (the same token twice in an
// embedding lookup) must add up, hence ScatterND with reduction='add'. ScatterND scatters along the
// leading axis, so for axis > 0 the gathered axis is moved to the front and back again:
//   X (p, n, q) → (n, p, q);  dY (p, j, q) → (j, p, q);  scatter;  (n, p, q) → (p, n, q).
export const gatherGrad: GradRule = (ctx, [dY]) => {
  requireScatterAdd(ctx);
  const [data, indices] = ctx.inputs;
  const rank = ctx.rank(data);
  const indexRank = ctx.rank(indices);
  const axis = ctx.axis(attrInt(ctx.node, 'axis', 0), rank);
  const index = ctx.op('Unsqueeze', [wrappedIndices(ctx, indices, data, axis), ctx.int64s([-1])]);
  if (axis === 0) {
    const zeros = zerosOfShape(ctx, ctx.shapeOf(data), data);
    return [ctx.op('ScatterND', [zeros, index, dY!], { reduction: 'add' })];
  }
  const range = (from: number, to: number) => Array.from({ length: Math.max(to - from, 0) }, (_, k) => from + k);
  const toFront = [axis, ...range(0, axis), ...range(axis + 1, rank)];
  const fromFront = new Array<number>(rank);
  toFront.forEach((p, k) => (fromFront[p] = k));
  const dYToFront = [...range(axis, axis + indexRank), ...range(0, axis), ...range(axis + indexRank, rank - 1 + indexRank)];
  const zeros = zerosOfShape(ctx, ctx.op('Gather', [ctx.shapeOf(data), ctx.int64s(toFront)]), data);
  const updates = ctx.op('Transpose', [dY!], { perm: dYToFront });
  const scattered = ctx.op('ScatterND', [zeros, index, updates], { reduction: 'add' });
  return [ctx.op('Transpose', [scattered], { perm: fromFront })];
};
