// TensorBoard's scalar smoothing (tensorboard/plugins/scalar, line-chart resmoothDataset): a debiased
// exponential moving average, so a slider value means the same here as there.
//   m₀ = 0;  mₖ = w·mₖ₋₁ + (1 − w)·yₖ;  ŷₖ = mₖ / (1 − wᵏ)      (k counts the finite values so far)
// Dividing by 1 − wᵏ removes the pull towards m₀ = 0 at the start (as Adam's bias correction does).
// Non-finite values pass through unsmoothed and do not enter the average; a constant series stays as it is
// (the debiased average of a constant is that constant, up to rounding, which TensorBoard avoids).
import type { Point } from './run-series';

/** `weight` in [0, 1): 0 leaves the values as they are. */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const constant = values.every((v) => v === values[0]);
  let last = 0;
  let count = 0;
  return values.map((y) => {
    if (constant || !Number.isFinite(y)) return y;
    last = last * weight + (1 - weight) * y;
    count++;
    return weight === 1 ? last : last / (1 - Math.pow(weight, count));
  });
}

export function smoothPoints(points: readonly Point[], weight: number): Point[] {
  const smoothed = emaSmooth(points.map((p) => p.y), weight);
  return points.map((p, i) => ({ x: p.x, y: smoothed[i] }));
}

interface EmaState {
  weight: number;
  out: Point[];
  /** Points of the input smoothed so far. */
  upTo: number;
  last: number;
  count: number;
  /** The input was one value so far (emaSmooth leaves such a series as it is). */
  constant: boolean;
}

/** The smoothing of each point array, for arrays that only grow (run-series' step series of a live run). */
const emaStates = new WeakMap<readonly Point[], EmaState>();

/**
 * smoothPoints(points, weight), extended from the points appended since the last call on the same array, so a
 * live redraw smooths the new steps only; the same values as smoothPoints (unit-tested). A series constant so
 * far and no longer, or another weight, is smoothed again from the start.
 */
export function smoothGrowingPoints(points: readonly Point[], weight: number): Point[] {
  let state = emaStates.get(points);
  const constantAfter = state?.constant && points.slice(state.upTo).every((p) => p.y === points[0].y);
  if (!state || state.weight !== weight || state.upTo > points.length || (state.constant && !constantAfter)) {
    state = { weight, out: [], upTo: 0, last: 0, count: 0, constant: points.every((p) => p.y === points[0]?.y) };
    emaStates.set(points, state);
  }
  if (weight <= 0 || state.constant) {
    for (; state.upTo < points.length; state.upTo++) state.out.push({ x: points[state.upTo].x, y: points[state.upTo].y });
    return state.out;
  }
  for (; state.upTo < points.length; state.upTo++) {
    const { x, y } = points[state.upTo];
    if (!Number.isFinite(y)) {
      state.out.push({ x, y });
      continue;
    }
    state.last = state.last * weight + (1 - weight) * y;
    state.count++;
    state.out.push({ x, y: weight === 1 ? state.last : state.last / (1 - Math.pow(weight, state.count)) });
  }
  return state.out;
}
