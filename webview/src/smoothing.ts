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
