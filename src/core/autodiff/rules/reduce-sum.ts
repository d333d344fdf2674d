import { attrInt, attrInts } from '../../onnx/attributes';
import { GradContext, GradRule } from '../grad-context';

/** The first opset in which Reduce<op> reads its axes from input 1: 13 for ReduceSum, 18 for the others. */
export function axesInputSince(reduceOp: string): number {
  return reduceOp === 'ReduceSum' ? 13 : 18;
}

/**
 * Emits `reduceOp(x)` over `axes` (undefined = all axes) in the form the model's opset expects: axes as
 * an attribute before `axesInputSince(reduceOp)`, as an int64 input from then on. Callers never pass
 * `[]`, which would mean "all axes" (or a no-op) depending on noop_with_empty_axes.
 */
export function emitReduce(ctx: GradContext, reduceOp: string, x: string, axes: number[] | undefined, keepdims: boolean): string {
  const keep = keepdims ? 1 : 0;
  if (axes === undefined) return ctx.op(reduceOp, [x], { keepdims: keep });
  if (ctx.opset >= axesInputSince(reduceOp)) return ctx.op(reduceOp, [x, ctx.int64s(axes)], { keepdims: keep });
  return ctx.op(reduceOp, [x], { axes, keepdims: keep });
}

/** Unsqueeze in the form the model's opset expects (axes attribute before 13, input from 13). */
export function emitUnsqueeze(ctx: GradContext, x: string, axes: number[]): string {
  return ctx.opset >= 13 ? ctx.op('Unsqueeze', [x, ctx.int64s(axes)]) : ctx.op('Unsqueeze', [x], { axes });
}

/**
 * Broadcasts a reduced tensor (a gradient, or the forward output itself) back over the reduced axes:
 * re-insert them (when keepdims = 0) and Expand to the input's shape. `axes` undefined = all axes,
 * `[]` = nothing was reduced (noop_with_empty_axes).
 */
export function expandReduced(ctx: GradContext, dY: string, x: string, axes: number[] | undefined, keepdims: boolean): string {
  const rank = ctx.rank(x);
  let g = dY;
  if (!keepdims) {
    if (axes === undefined) g = ctx.op('Reshape', [dY, ctx.int64s(new Array(rank).fill(1))]);
    else if (axes.length > 0) g = emitUnsqueeze(ctx, dY, axes);
  }
  return ctx.op('Expand', [g, ctx.shapeOf(x)]);
}

/**
 * The reduction axes of a Reduce* node (attribute before opset 13/18, input after), sorted and
 * non-negative; undefined = all axes, `[]` = identity (noop_with_empty_axes = 1 with no or empty axes).
 */
export function reduceAxes(ctx: GradContext): number[] | undefined {
  const x = ctx.inputs[0];
  const axes = ctx.axesOf(1, attrInts(ctx.node, 'axes'), ctx.rank(x));
  const noop = attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1;
  if (axes === undefined || axes.length === 0) return noop ? [] : undefined;
  return axes;
}

/** keepdims of a Reduce* node (default 1). */
export function keepsDims(ctx: GradContext): boolean {
  return attrInt(ctx.node, 'keepdims', 1) === 1;
}

// Y = Σ_axes X:  dX = broadcast(dY) over the reduced axes
export const reduceSumGrad: GradRule = (ctx, [dY]) => {
  const axes = reduceAxes(ctx);
  return [expandReduced(ctx, dY!, ctx.inputs[0], axes, keepsDims(ctx))];
};
