import * as assert from 'assert';
import { emaSmooth, smoothPoints, smoothGrowingPoints } from '../../../webview/src/smoothing';

// TensorBoard's resmoothDataset, transcribed (tensorboard/plugins/scalar/tf_scalar_dashboard, vz_line_chart2):
// the oracle the dashboard must agree with, so its slider means what TensorBoard's does.
function tensorBoardSmooth(data: number[], smoothingWeight: number): number[] {
  let last = data.length > 0 ? 0 : NaN;
  let numAccum = 0;
  const isConstant = data.every((v) => v === data[0]);
  return data.map((nextVal) => {
    if (isConstant || !Number.isFinite(nextVal)) return nextVal;
    last = last * smoothingWeight + (1 - smoothingWeight) * nextVal;
    numAccum++;
    let debiasWeight = 1;
    if (smoothingWeight !== 1) debiasWeight = 1 - Math.pow(smoothingWeight, numAccum);
    return last / debiasWeight;
  });
}

describe('emaSmooth (TensorBoard-compatible debiased EMA)', () => {
  it('matches hand-derived values: w = 0.5 on 1, 2, 3', () => {
    // m = 0.5, 1.25, 2.125; debias 1 − 0.5ᵏ = 0.5, 0.75, 0.875 → 1, 5/3, 17/7.
    const got = emaSmooth([1, 2, 3], 0.5);
    [1, 5 / 3, 17 / 7].forEach((want, i) => assert.ok(Math.abs(got[i] - want) < 1e-12, `${i}: ${got[i]} vs ${want}`));
  });

  it('matches TensorBoard on a noisy series for every weight of the slider (|Δ| < 1e-12)', () => {
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5);
    const series = Array.from({ length: 500 }, (_, k) => 3 * Math.exp(-k / 80) + 0.2 + 0.4 * noise());
    for (const w of [0, 0.3, 0.6, 0.9, 0.99]) {
      const want = tensorBoardSmooth(series, w);
      emaSmooth(series, w).forEach((y, i) => assert.ok(Math.abs(y - want[i]) < 1e-12, `w=${w} i=${i}: ${y} vs ${want[i]}`));
    }
  });

  it('passes non-finite values through without letting them into the average', () => {
    const series = [1, NaN, 3, Infinity, 5];
    const got = emaSmooth(series, 0.6);
    const want = tensorBoardSmooth(series, 0.6);
    assert.ok(Number.isNaN(got[1]) && got[3] === Infinity);
    for (const i of [0, 2, 4]) assert.ok(Math.abs(got[i] - want[i]) < 1e-12);
    // The first finite value is its own average (debiased), whatever w.
    assert.strictEqual(got[0], 1);
  });

  it('leaves constant series and w = 0 as they are, and keeps x with smoothPoints', () => {
    assert.deepStrictEqual(emaSmooth([0.3, 0.3, 0.3], 0.9), [0.3, 0.3, 0.3]);
    assert.deepStrictEqual(emaSmooth([1, 5, 2], 0), [1, 5, 2]);
    const points = smoothPoints([{ x: 10, y: 1 }, { x: 20, y: 3 }], 0.5);
    assert.deepStrictEqual(points.map((p) => p.x), [10, 20]);
    assert.ok(Math.abs(points[1].y - (0.25 + 1.5) / 0.75) < 1e-12);
  });
});

describe('smoothGrowingPoints (a live series smoothed as it grows)', () => {
  const points = (ys: number[], from = 0) => ys.map((y, i) => ({ x: from + i, y }));

  it('equals smoothPoints of the whole series after each append, NaN and a constant start included', () => {
    const series: { x: number; y: number }[] = [];
    const ys = [2, 2, 2, 5, NaN, 1, 3, 3, 8, 0.5, 4, 4];
    for (let k = 0; k < ys.length; k += 3) {
      series.push(...points(ys.slice(k, k + 3), k));
      const grown = smoothGrowingPoints(series, 0.6);
      const whole = smoothPoints(series, 0.6);
      assert.strictEqual(grown.length, whole.length);
      grown.forEach((p, i) => assert.ok(p.x === whole[i].x && (Object.is(p.y, whole[i].y) || Math.abs(p.y - whole[i].y) < 1e-12), `point ${i} after ${series.length}`));
    }
  });

  it('a new weight smooths again from the start', () => {
    const series = points([1, 4, 2, 8]);
    smoothGrowingPoints(series, 0.6);
    assert.deepStrictEqual(smoothGrowingPoints(series, 0.9), smoothPoints(series, 0.9));
  });
});
