// Zoom on the step axis: drag across a step chart to select steps (or minutes), and every step chart shows that
// range (a Chart.js plugin: afterEvent follows the drag, afterDraw shades the selection); double-click, or the
// Reset zoom button, shows the whole run again. A drag of a few pixels is a click, not a zoom.
import type { Chart, ChartEvent, ChartType, Plugin } from 'chart.js';

export interface StepZoomOptions {
  enabled?: boolean;
  color?: string;
  /** Called with the selected x range, or undefined to reset. */
  onZoom?: (range: { min: number; max: number } | undefined) => void;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    stepZoom?: StepZoomOptions;
  }
}

/** Narrower drags are clicks. */
const minDragPixels = 5;
const drags = new WeakMap<Chart, { from: number; to: number }>();

export const stepZoom: Plugin = {
  id: 'stepZoom',
  afterEvent(chart: Chart, args: { event: ChartEvent }, options: StepZoomOptions) {
    if (!options.enabled) return;
    const { event } = args;
    const area = chart.chartArea;
    if (event.x === null) return;
    const x = Math.min(area.right, Math.max(area.left, event.x));
    const drag = drags.get(chart);
    if (event.type === 'mousedown' && event.y !== null && event.y >= area.top && event.y <= area.bottom && event.x >= area.left && event.x <= area.right) {
      drags.set(chart, { from: x, to: x });
    } else if (event.type === 'mousemove' && drag) {
      drag.to = x;
      chart.draw();
    } else if ((event.type === 'mouseup' || event.type === 'mouseout') && drag) {
      drags.delete(chart);
      chart.draw();
      if (event.type === 'mouseup' && Math.abs(drag.to - drag.from) >= minDragPixels) {
        const a = chart.scales.x.getValueForPixel(Math.min(drag.from, drag.to));
        const b = chart.scales.x.getValueForPixel(Math.max(drag.from, drag.to));
        if (a !== undefined && b !== undefined) options.onZoom?.({ min: a, max: b });
      }
    } else if (event.type === 'dblclick') {
      options.onZoom?.(undefined);
    }
  },
  afterDraw(chart: Chart, _args, options: StepZoomOptions) {
    const drag = drags.get(chart);
    if (!options.enabled || !drag) return;
    const area = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalAlpha = 0.2;
    ctx.fillStyle = options.color ?? '#888';
    ctx.fillRect(Math.min(drag.from, drag.to), area.top, Math.abs(drag.to - drag.from), area.bottom - area.top);
    ctx.restore();
  },
};
