// Long line series decimated before they reach Chart.js, so a redraw touches at most 2 points per pixel column
// of the plot instead of every step. The x range [min, max] is cut into buckets of width
// w = 2^⌈log₂((max − min)/columns)⌉, aligned at x = 0 (bucket b holds b·w ≤ x < (b+1)·w): between columns/2 and
// `columns` buckets, each one to two pixels wide. Each bucket keeps its lowest and highest point, in x order, so
// the line spans the same min…max over each bucket's pixels as the line through every point. Non-finite values
// (gaps) are kept as they are; so is the nearest point outside the range on each side, so that the line reaches
// the plot's edges. Series that only grow (run-series' step series, smoothGrowingPoints) are extended from the
// points appended since the last call; a new bucket width or range start begins again. Series of at most
// 2·columns points in the range (no more than the buckets would give) are returned as they are.
import type { Point } from './run-series';

export interface BucketRange {
  min: number;
  max: number;
}

interface BucketState {
  width: number;
  min: number;
  /** First index with x ≥ min. */
  first: number;
  /** Points [first, upTo) are in closed buckets or in the open one. */
  upTo: number;
  out: Point[];
  /** Points at the end of `out` that belong to the open bucket and the point after the range (re-emitted). */
  openLength: number;
  /** The open bucket: its index and its lowest and highest point's indices. */
  bucket: number;
  low: number;
  high: number;
}

const states = new WeakMap<readonly Point[], BucketState>();

/** First index whose x is ≥ `x` (> `x` when `after`), for points sorted by x; points.length when none is. */
function firstIndex(points: readonly Point[], x: number, after = false): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x || (after && points[mid].x === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The points to draw for `points` (sorted by x) over `range` on a plot `columns` pixels wide. */
export function bucketPoints(points: readonly Point[], range: BucketRange, columns: number): readonly Point[] {
  const first = firstIndex(points, range.min);
  const end = firstIndex(points, range.max, true);
  const span = range.max - range.min;
  if (end - first <= 2 * columns || !(span > 0) || columns < 1) return points;
  const width = Math.pow(2, Math.ceil(Math.log2(span / columns)));
  let state = states.get(points);
  if (!state || state.width !== width || state.min !== range.min || state.first !== first || state.upTo > end) {
    state = { width, min: range.min, first, upTo: first, out: first > 0 ? [points[first - 1]] : [], openLength: 0, bucket: NaN, low: -1, high: -1 };
    states.set(points, state);
  }
  const s = state;
  s.out.length -= s.openLength;
  const close = () => {
    if (s.low < 0) return;
    s.out.push(points[Math.min(s.low, s.high)]);
    if (s.low !== s.high) s.out.push(points[Math.max(s.low, s.high)]);
  };
  for (; s.upTo < end; s.upTo++) {
    const p = points[s.upTo];
    if (!Number.isFinite(p.y)) {
      // A gap stays a gap: the point is drawn on its own, between buckets.
      close();
      s.out.push(p);
      s.bucket = NaN;
      s.low = s.high = -1;
      continue;
    }
    const bucket = Math.floor(p.x / width);
    if (bucket !== s.bucket) {
      close();
      s.bucket = bucket;
      s.low = s.high = s.upTo;
    } else if (p.y < points[s.low].y) s.low = s.upTo;
    else if (p.y > points[s.high].y) s.high = s.upTo;
  }
  const before = s.out.length;
  close();
  if (end < points.length) s.out.push(points[end]);
  s.openLength = s.out.length - before;
  return s.out;
}
