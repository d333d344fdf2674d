// A crosshair at the hovered step (or minute, on the wall-time axis), drawn on every step chart at once (a Chart.js plugin: afterEvent reads the
// step under the pointer, afterDatasetsDraw draws the line), so a spike in one chart can be found in the others.
import type { Chart, ChartEvent, ChartType, Plugin } from 'chart.js';

export interface StepCrosshairOptions {
  /** Only charts whose x axis counts steps share the crosshair. */
  enabled?: boolean;
  color?: string;
  /** Called with the hovered step (undefined when the pointer leaves), for the other charts to redraw. */
  onHover?: (step: number | undefined) => void;
  /** The step to draw at (shared by every chart). */
  step?: () => number | undefined;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    stepCrosshair?: StepCrosshairOptions;
  }
}

export const stepCrosshair: Plugin = {
  id: 'stepCrosshair',
  afterEvent(chart: Chart, args: { event: ChartEvent }, options: StepCrosshairOptions) {
    if (!options.enabled) return;
    const { event } = args;
    const area = chart.chartArea;
    const inside = event.x !== null && event.y !== null && event.x >= area.left && event.x <= area.right && event.y >= area.top && event.y <= area.bottom;
    if (event.type === 'mouseout' || (event.type === 'mousemove' && !inside)) options.onHover?.(undefined);
    else if (event.type === 'mousemove' && event.x !== null) options.onHover?.(chart.scales.x.getValueForPixel(event.x));
  },
  afterDatasetsDraw(chart: Chart, _args, options: StepCrosshairOptions) {
    const step = options.enabled ? options.step?.() : undefined;
    if (step === undefined) return;
    const x = chart.scales.x.getPixelForValue(step);
    const area = chart.chartArea;
    if (x < area.left || x > area.right) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = options.color ?? '#888';
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, area.top);
    ctx.lineTo(x, area.bottom);
    ctx.stroke();
    ctx.restore();
  },
};
