// The dashboard page, in the shared strict-CSP shell (data: images for the charts' PNG export). vscode-free so the
// browser test renders the same page.
import { chartElementIds, dashboardCharts } from '../protocol/dashboard-charts';
import { playgroundHtml } from './playground-html';
import { escapeHtml, WebviewPageResources, webviewPageHtml } from './webview-page';

/**
 * 'sidebar': the compact live view; 'editor': the wide dashboard in an editor tab, with the runs table and the
 * charts side by side.
 */
export type DashboardLayout = 'sidebar' | 'editor';

export function dashboardHtml(resources: WebviewPageResources, extraHead = '', layout: DashboardLayout = 'sidebar'): string {
  // Each chart: its title, a legend of toggles above the plot (never inside it), the plot, and an empty state
  // that says why there is nothing to draw.
  const sections = dashboardCharts
    .map(({ id, title, hint }) => {
      const ids = chartElementIds(id);
      const exports = (['png', 'csv'] as const).map((format) => `<button type="button" class="chart-export" data-chart="${id}" data-format="${format}" title="Save this chart as ${format.toUpperCase()}">${format.toUpperCase()}</button>`).join('');
      return `<section class="chart-section" data-chart="${id}"><div class="chart-head"><h3 title="${escapeHtml(hint)}">${escapeHtml(title)}</h3><span class="chart-actions">${exports}</span></div><div id="${ids.legend}" class="legend" role="group" aria-label="${escapeHtml(title)}: series"></div><div class="chart-box chart-${id}"><canvas id="${ids.canvas}" role="img" aria-label="${escapeHtml(title)}"></canvas><p id="${ids.empty}" class="chart-empty" hidden></p></div></section>`;
    })
    .join('\n    ');
  return webviewPageHtml(resources, {
    title: 'ThanoRA Dashboard',
    bodyClass: `layout-${layout}`,
    dataImages: true,
    extraHead,
    body: `  <header>
    <vscode-single-select id="run-select" aria-label="Run"></vscode-single-select>
    <div id="compare" class="compare" aria-label="Compare with runs of the same experiment"></div>
    <div class="buttons">
      <vscode-button id="start-button" title="ThanoRA: Start Training">Start</vscode-button>
      <vscode-button id="stop-button" secondary title="ThanoRA: Stop Training">Stop</vscode-button>
      <vscode-button id="merge-button" secondary title="ThanoRA: Merge Adapter into Base Model">Merge</vscode-button>
    </div>
    <p id="trust-notice" class="notice" hidden>This workspace is not trusted: training and merging are disabled because they run code and write files. Trust the workspace to enable them.</p>
    <vscode-progress-bar id="progress-bar" hidden></vscode-progress-bar>
    <p id="progress-text" class="progress-text"></p>
    <p id="run-error" class="error"></p>
    <div id="chart-controls" class="chart-controls">
      <label for="smoothing" title="TensorBoard's debiased exponential moving average; the raw values stay drawn faintly">Smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0.6"> <output id="smoothing-value" for="smoothing">0.60</output></label>
      <vscode-checkbox id="log-scale" label="Log scale (losses)"></vscode-checkbox>
      <vscode-checkbox id="wall-time" label="x: wall time" title="Plot the step charts against minutes since the run's first step instead of steps"></vscode-checkbox>
      <span class="zoom-hint" title="Drag across a step chart to zoom every step chart to those steps; double-click to see the whole run">Drag to zoom</span>
      <vscode-button id="reset-zoom" secondary hidden title="Show every step again (or double-click a chart)">Reset zoom</vscode-button>
    </div>
  </header>
  <section id="empty-state" class="empty-state" hidden>
    <p><strong>No runs yet.</strong> Create the demo experiment with <em>New Experiment</em> (the bundled demo: byte-level tasks on a tiny model, trained in minutes on CPU), or open a <code>thanora.json</code> and press <em>Start</em>. Runs appear here as they train.</p>
    <vscode-button id="new-experiment-button" title="ThanoRA: New Experiment">New Experiment</vscode-button>
  </section>
  <section id="runs-table-section" class="runs-table-section" hidden>
    <h3 title="The runs of the selected run's experiment; tick a run to overlay it on the charts, click its name to select it">Runs of this experiment</h3>
    <div id="runs-table"></div>
  </section>
  ${layout === 'editor' ? playgroundHtml() : ''}
  <section id="sweep-section" class="sweep-section" aria-label="Sweep results" hidden></section>
  <main id="charts">
    ${sections}
  </main>`,
  });
}
