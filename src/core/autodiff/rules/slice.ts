import { DataType } from '../../onnx/types';
import { GradContext, GradientError, GradRule } from '../grad-context';
import { zerosOfShape } from './gather';

/** Values of a constant int input of this Slice node, or a specific error naming it. */
function constantInput(ctx: GradContext, index: number, what: string): number[] {
  const name = ctx.inputs[index];
  const values = ctx.constantValues(name);
  if (!values) {
    throw new GradientError(
      `node '${ctx.node.name}' (Slice): its ${what} come from '${name}', which is not a constant; ` +
        `the gradient needs them at graph-build time (export with constant ${what})`,
    );
  }
  return values;
}

/** Entries `positions` of the 1-D int tensor `name`, as int64. */
function pick(ctx: GradContext, name: string, positions: number[]): string {
  const picked = ctx.op('Gather', [name, ctx.int64s(positions)]);
  return ctx.dtype(name) === DataType.INT64 ? picked : ctx.op('Cast', [picked], { to: DataType.INT64 });
}

/** ONNX Slice bounds: v < 0 counts from the end (v + n), then clamp to [lo, n + hiOffset]. */
function clampedBound(ctx: GradContext, v: string, n: string, lo: number, hiOffset: number): string {
  const fromEnd = ctx.op('Where', [ctx.op('Less', [v, ctx.int64s([0])]), ctx.op('Add', [v, n]), v]);
  const hi = hiOffset ? ctx.op('Add', [n, ctx.int64s([hiOffset])]) : n;
  return ctx.op('Min', [ctx.op('Max', [fromEnd, ctx.int64s([lo])]), hi]);
}

// Y = X[s_0 : e_0 : t_0, …] over the sliced axes; dX is dY put back at the sliced positions, zeros elsewhere.
//  • unit steps: one Pad, before = clamp(s) and after = n − before − len(Y) on each axis, computed from
//    Shape at run time, so dynamic dims and negative or out-of-range starts/ends follow the ONNX rules;
//  • other steps, one axis at a time: ScatterElements at the positions Range(s', e', t), with
//    t > 0: s', e' clamped to [0, n];  t < 0: s' clamped to [0, n − 1], e' to [−1, n − 1].
// The axes of a Slice are distinct, so these per-axis scatters commute with the Pad.
export const sliceGrad: GradRule = (ctx, [dY]) => {
  if (ctx.opset < 13) {
    throw new GradientError(`node '${ctx.node.name}' (Slice): the gradient needs opset ≥ 13, the model is opset ${ctx.opset}; re-export it`);
  }
  const [x, starts, ends, axesInput, stepsInput] = ctx.inputs;
  const rank = ctx.rank(x);
  const count = ctx.info(starts).shape[0];
  const axes = axesInput ? constantInput(ctx, 3, 'axes').map((a) => ctx.axis(a, rank)) : Array.from({ length: count }, (_, k) => k);
  const steps = stepsInput ? constantInput(ctx, 4, 'steps') : new Array<number>(count).fill(1);
  const dims = ctx.shapeOf(x);

  const unit = axes.map((_, k) => k).filter((k) => steps[k] === 1);
  let grad = dY!;
  if (unit.length) {
    const unitAxes = ctx.int64s(unit.map((k) => axes[k]));
    const n = ctx.op('Gather', [dims, unitAxes]);
    const before = clampedBound(ctx, pick(ctx, starts, unit), n, 0, 0);
    const after = ctx.op('Sub', [ctx.op('Sub', [n, before]), ctx.op('Gather', [ctx.shapeOf(grad), unitAxes])]);
    // pads = [b_0 … b_{r−1}, a_0 … a_{r−1}], zero on the axes this Slice does not touch.
    const padSlots = ctx.int64s([...unit.map((k) => axes[k]), ...unit.map((k) => rank + axes[k])]);
    const pads = ctx.op('ScatterElements', [ctx.int64s(new Array(2 * rank).fill(0)), padSlots, ctx.op('Concat', [before, after], { axis: 0 })]);
    grad = ctx.op('Pad', [grad, pads]);
  }
  axes.forEach((axis, k) => {
    if (steps[k] === 1) return;
    const n = ctx.op('Gather', [dims, ctx.int64s([axis])]);
    const [hiOffset, endLo] = steps[k] > 0 ? [0, 0] : [-1, -1];
    const start = clampedBound(ctx, pick(ctx, starts, [k]), n, 0, hiOffset);
    const end = clampedBound(ctx, pick(ctx, ends, [k]), n, endLo, hiOffset);
    const positions = ctx.op('Range', [ctx.op('Squeeze', [start]), ctx.op('Squeeze', [end]), ctx.op('Squeeze', [ctx.int64s([steps[k]])])]);
    // positions [m] → [1, …, m, …, 1] → the shape of the current gradient (indices match updates in shape).
    const alongAxis = Array.from({ length: rank }, (_, d) => (d === axis ? -1 : 1));
    const current = ctx.shapeOf(grad);
    const index = ctx.op('Expand', [ctx.op('Reshape', [positions, ctx.int64s(alongAxis)]), current]);
    const fullShape = ctx.op('ScatterElements', [current, ctx.int64s([axis]), n]);
    grad = ctx.op('ScatterElements', [zerosOfShape(ctx, fullShape, x), index, grad], { axis });
  });
  return [grad];
};
