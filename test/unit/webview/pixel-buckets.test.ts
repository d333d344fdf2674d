import * as assert from 'assert';
import { bucketPoints } from '../../../webview/src/pixel-buckets';
import type { Point } from '../../../webview/src/run-series';

/** A noisy decaying loss at steps 1…n. */
function series(n: number, seed = 3): Point[] {
  let s = seed;
  const noise = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5);
  return Array.from({ length: n }, (_, i) => ({ x: i + 1, y: 2 * Math.exp(-(i + 1) / 3000) + 0.3 * noise() }));
}

/** The oracle, written out: the points in [min, max] grouped by ⌊x/w⌋, each group's lowest and highest in x order. */
function naive(points: Point[], min: number, max: number, w: number): Point[] {
  const inside = points.filter((p) => p.x >= min && p.x <= max);
  const groups = new Map<number, Point[]>();
  for (const p of inside) groups.set(Math.floor(p.x / w), [...(groups.get(Math.floor(p.x / w)) ?? []), p]);
  const out: Point[] = [];
  const before = points.filter((p) => p.x < min).at(-1);
  if (before) out.push(before);
  for (const g of groups.values()) {
    const low = g.reduce((a, p) => (p.y < a.y ? p : a));
    const high = g.reduce((a, p) => (p.y > a.y ? p : a));
    out.push(...(low === high ? [low] : low.x < high.x ? [low, high] : [high, low]));
  }
  const after = points.find((p) => p.x > max);
  if (after) out.push(after);
  return out;
}

describe('bucketPoints (min/max per pixel column, for Chart.js)', () => {
  it('keeps each bucket\'s lowest and highest point: 100,000 steps on 400 columns, buckets of 2^⌈log₂(250)⌉ = 256 steps', () => {
    const points = series(100000);
    const got = bucketPoints(points, { min: 0, max: 100000 }, 400);
    assert.deepStrictEqual(got, naive(points, 0, 100000, 256));
    // 100000/256 → 391 buckets (≤ 400 columns), two points each at most.
    assert.ok(got.length <= 2 * 391, `${got.length} points`);
    assert.strictEqual(Math.min(...got.map((p) => p.y)), Math.min(...points.map((p) => p.y)));
    assert.strictEqual(Math.max(...got.map((p) => p.y)), Math.max(...points.map((p) => p.y)));
  });

  it('a series that grows in place gives what the whole series gives, through a change of bucket width', () => {
    const all = series(9000, 11);
    const growing: Point[] = [];
    let got: readonly Point[] = [];
    for (let n = 0; n < all.length; n += 137) {
      growing.push(...all.slice(n, n + 137));
      got = bucketPoints(growing, { min: 0, max: growing[growing.length - 1].x }, 100);
      const fresh = bucketPoints([...growing], { min: 0, max: growing[growing.length - 1].x }, 100);
      assert.deepStrictEqual(got, fresh, `after ${growing.length} points`);
    }
    assert.deepStrictEqual(got, naive(all, 0, 9000, 128));
  });

  it('a zoomed range keeps the nearest point outside on each side, so the line reaches the edges', () => {
    const points = series(5000);
    const got = bucketPoints(points, { min: 1000, max: 3000 }, 50);
    assert.deepStrictEqual(got, naive(points, 1000, 3000, 64));
    assert.strictEqual(got[0].x, 999);
    assert.strictEqual(got[got.length - 1].x, 3001);
  });

  it('leaves short series as they are, and keeps a non-finite value (a gap) on its own', () => {
    const short = series(200);
    assert.strictEqual(bucketPoints(short, { min: 0, max: 200 }, 100), short);
    assert.notStrictEqual(bucketPoints(series(201), { min: 0, max: 201 }, 100).length, 201);
    const gapped = series(1000);
    gapped[500] = { x: 501, y: NaN };
    const got = bucketPoints(gapped, { min: 0, max: 1000 }, 100);
    const at = got.findIndex((p) => Number.isNaN(p.y));
    assert.strictEqual(got[at].x, 501);
    assert.ok(got[at - 1].x < 501 && got[at + 1].x > 501);
  });
});
