// A Chart.js interaction mode for the tooltip: at the hovered x, the nearest point of every visible series
// (not only of the nearest one), so one tooltip lists all tasks at that step even when the series are sampled
// at different steps (evals, angles). Faint raw lines under smoothed ones are left out. A series drawn decimated
// (pixel-buckets.ts) names its every point in `points`: the tooltip reads the true point nearest the hovered x,
// and highlights the drawn point nearest to it.
import { Interaction, type Chart, type InteractionItem, type InteractionModeFunction, type TooltipItem } from 'chart.js';
import { getRelativePosition } from 'chart.js/helpers';
import type { Point } from './run-series';

declare module 'chart.js' {
  interface InteractionModeMap {
    eachSeries: InteractionModeFunction;
  }
}

/** Index of the element whose x is nearest to `x` (elements sorted by x, as line data is). */
function nearestByX(elements: readonly { x: number }[], x: number): number {
  let lo = 0;
  let hi = elements.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (elements[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && Math.abs(elements[lo - 1].x - x) <= Math.abs(elements[lo].x - x) ? lo - 1 : lo;
}

export const eachSeries: InteractionModeFunction = (chart: Chart, e) => {
  const position = getRelativePosition(e, chart);
  const area = chart.chartArea;
  if (position.x < area.left || position.x > area.right || position.y < area.top || position.y > area.bottom) return [];
  const items: InteractionItem[] = [];
  const truePoints = new Map<number, Point>();
  const x = chart.scales.x;
  chart.data.datasets.forEach((dataset, datasetIndex) => {
    if ((dataset as { faint?: boolean }).faint || !chart.isDatasetVisible(datasetIndex)) return;
    const elements = chart.getDatasetMeta(datasetIndex).data;
    if (elements.length === 0) return;
    const points = (dataset as { points?: readonly Point[] }).points;
    const truePoint = points?.[nearestByX(points, x.getValueForPixel(position.x) ?? 0)];
    if (truePoint) truePoints.set(datasetIndex, truePoint);
    const index = nearestByX(elements, truePoint ? x.getPixelForValue(truePoint.x) : position.x);
    items.push({ element: elements[index], datasetIndex, index });
  });
  hovered.set(chart, truePoints);
  return items;
};

/** Per chart, the true point found for each dataset at the last pointer position. */
const hovered = new WeakMap<Chart, Map<number, Point>>();

/** The point a tooltip item stands for: the undecimated one at the hovered x, or the drawn one. */
export function hoveredPoint(item: TooltipItem<'line'>): Point {
  return hovered.get(item.chart)?.get(item.datasetIndex) ?? (item.raw as Point);
}

Interaction.modes.eachSeries = eachSeries;
