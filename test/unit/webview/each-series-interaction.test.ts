import * as assert from 'assert';
import type { Chart, ChartEvent, TooltipItem } from 'chart.js';
import { eachSeries, hoveredPoint } from '../../../webview/src/each-series-interaction';
import { bucketPoints } from '../../../webview/src/pixel-buckets';
import type { Point } from '../../../webview/src/run-series';

// A plot 200 px wide from x = 0 to 10,000 steps: pixel = 100 + step/50. Its first series is drawn decimated
// (what dashboard-charts hands Chart.js), its second is an eval series of 5 points drawn as it is.
const left = 100;
const pixel = (step: number) => left + step / 50;
const loss: Point[] = Array.from({ length: 10000 }, (_, i) => ({ x: i + 1, y: Math.sin(i * 12.9898) }));
const evals: Point[] = [0, 2500, 5000, 7500, 10000].map((x) => ({ x, y: x / 10000 }));
const drawnLoss = bucketPoints(loss, { min: 0, max: 10000 }, 200) as Point[];
const elements = (points: readonly Point[]) => points.map((p) => ({ x: pixel(p.x), y: p.y }));
const datasets = [{ data: drawnLoss, points: loss }, { data: evals, points: evals }];
const chart = {
  chartArea: { left, right: left + 200, top: 0, bottom: 100 },
  scales: { x: { getValueForPixel: (px: number) => (px - left) * 50, getPixelForValue: pixel } },
  data: { datasets },
  isDatasetVisible: () => true,
  getDatasetMeta: (i: number) => ({ data: elements(datasets[i].data) }),
} as unknown as Chart;
const hover = (px: number) => eachSeries(chart, { native: {}, x: px, y: 50 } as unknown as ChartEvent, {}, false);
const item = (datasetIndex: number, index: number) => ({ chart, datasetIndex, raw: datasets[datasetIndex].data[index] }) as unknown as TooltipItem<'line'>;

describe('eachSeries tooltip mode over decimated series', () => {
  it('names the true point at the hovered step, not a bucket\'s extreme, and highlights the drawn point nearest it', () => {
    assert.ok(drawnLoss.length < 500, 'the loss is drawn decimated');
    // Pixel 100 + 83.41 is step 4170.5 → the points at 4170 and 4171 are as near; the first wins.
    const items = hover(left + 83.41);
    assert.deepStrictEqual(items.map((i) => i.datasetIndex), [0, 1]);
    assert.deepStrictEqual(hoveredPoint(item(0, items[0].index)), loss[4169]);
    const drawnX = drawnLoss[items[0].index].x;
    assert.ok(drawnLoss.every((p) => Math.abs(p.x - 4170) >= Math.abs(drawnX - 4170)), `drawn point at ${drawnX}`);
    // The eval series: its nearest point (5000 is nearer than 2500), as it is drawn.
    assert.deepStrictEqual(hoveredPoint(item(1, items[1].index)), evals[2]);
    assert.strictEqual(items[1].index, 2);
  });

  it('outside the plot there is nothing to list', () => {
    assert.deepStrictEqual(hover(left - 1), []);
  });
});
