import { attrInt, attrInts } from '../../onnx/attributes';
import { GradContext, GradRule } from '../grad-context';

/**
 * Broadcasts a reduced gradient back over the reduced axes: re-insert them (when keepdims = 0) and
 * Expand to the input's shape. `axes` undefined = all axes.
 */
export function expandReduced(ctx: GradContext, dY: string, x: string, axes: number[] | undefined, keepdims: boolean): string {
  const rank = ctx.rank(x);
  let g = dY;
  if (!keepdims) {
    g = axes === undefined ? ctx.op('Reshape', [dY, ctx.int64s(new Array(rank).fill(1))]) : ctx.op('Unsqueeze', [dY, ctx.int64s(axes)]);
  }
  return ctx.op('Expand', [g, ctx.shapeOf(x)]);
}

/** The reduction axes of a Reduce* node (attribute before opset 13/18, input after); undefined = all. */
export function reduceAxes(ctx: GradContext): number[] | undefined {
  const x = ctx.inputs[0];
  const axes = ctx.axesOf(1, attrInts(ctx.node, 'axes'), ctx.rank(x));
  if (axes && axes.length === 0 && !attrInt(ctx.node, 'noop_with_empty_axes', 0)) return undefined;
  return axes;
}

// Y = Σ_axes X:  dX = broadcast(dY) over the reduced axes
export const reduceSumGrad: GradRule = (ctx, [dY]) => {
  const axes = reduceAxes(ctx);
  return [expandReduced(ctx, dY!, ctx.inputs[0], axes, attrInt(ctx.node, 'keepdims', 1) === 1)];
};
