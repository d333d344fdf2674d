// A Chart.js interaction mode for the tooltip: at the hovered x, the nearest point of every visible series
// (not only of the nearest one), so one tooltip lists all tasks at that step even when the series are sampled
// at different steps (evals, angles). Faint raw lines under smoothed ones are left out.
import { Interaction, type Chart, type InteractionItem, type InteractionModeFunction } from 'chart.js';
import { getRelativePosition } from 'chart.js/helpers';

declare module 'chart.js' {
  interface InteractionModeMap {
    eachSeries: InteractionModeFunction;
  }
}

/** Index of the element whose x pixel is nearest to `x` (elements sorted by x, as line data is). */
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
  chart.data.datasets.forEach((dataset, datasetIndex) => {
    if ((dataset as { faint?: boolean }).faint || !chart.isDatasetVisible(datasetIndex)) return;
    const elements = chart.getDatasetMeta(datasetIndex).data;
    if (elements.length === 0) return;
    const index = nearestByX(elements, position.x);
    items.push({ element: elements[index], datasetIndex, index });
  });
  return items;
};

Interaction.modes.eachSeries = eachSeries;
