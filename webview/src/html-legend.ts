// Chart.js's HTML legend pattern (a plugin's afterUpdate hook): the legend as a compact list of toggle buttons
// in its own element above the plot, so twelve series never take the plot's space. A button shows the
// series' colour and dash; pressing it hides or shows the series (and its faint raw line).
import type { Chart, ChartDataset, ChartType, Plugin } from 'chart.js';

export interface HtmlLegendOptions {
  container?: HTMLElement;
  /** Called with the series key the user toggled. */
  onToggle?: (key: string) => void;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    htmlLegend?: HtmlLegendOptions;
  }
}

type LegendDataset = ChartDataset & { seriesKey?: string; faint?: boolean; borderDash?: number[] };

function swatch(dataset: LegendDataset): HTMLElement {
  const mark = document.createElement('span');
  mark.className = 'legend-swatch';
  const color = String(dataset.type === 'bar' || !dataset.borderColor ? dataset.backgroundColor : dataset.borderColor);
  mark.style.setProperty('--swatch-color', color);
  if (dataset.borderDash && dataset.borderDash.length) mark.classList.add('dashed');
  return mark;
}

export const htmlLegend: Plugin = {
  id: 'htmlLegend',
  afterUpdate(chart: Chart, _args, options: HtmlLegendOptions) {
    const container = options.container;
    if (!container) return;
    const shown = (chart.data.datasets as LegendDataset[]).filter((d) => !d.faint);
    // Live data updates every chart each second; the legend's DOM is rebuilt only when an entry changes.
    const signature = JSON.stringify(shown.map((d) => [d.seriesKey, d.label, !!d.hidden, d.borderColor ?? d.backgroundColor, d.borderDash?.length ?? 0]));
    if (container.dataset.signature === signature) return;
    container.dataset.signature = signature;
    const buttons = shown.map((dataset) => {
        const key = dataset.seriesKey ?? String(dataset.label);
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'legend-item';
        button.dataset.series = key;
        button.setAttribute('aria-pressed', String(!dataset.hidden));
        button.title = dataset.hidden ? `Show ${dataset.label}` : `Hide ${dataset.label}`;
        const text = document.createElement('span');
        text.textContent = String(dataset.label);
        button.append(swatch(dataset), text);
        button.addEventListener('click', () => options.onToggle?.(key));
        return button;
      });
    container.replaceChildren(...buttons);
  },
};
