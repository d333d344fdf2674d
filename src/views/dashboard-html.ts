// The dashboard page. Strict CSP: nothing but our own bundle (nonce) and local resources from the extension
// folder; no inline script or style, no remote hosts. vscode-free so the browser test renders the same page.
import { randomBytes } from 'crypto';
import { chartTitles } from './chart-titles';

export interface DashboardPageResources {
  /** webview.cspSource: the origin local resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function dashboardHtml(resources: DashboardPageResources, extraHead = ''): string {
  const nonce = resources.nonce ?? makeNonce();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${resources.cspSource} 'nonce-${nonce}'`,
    `img-src ${resources.cspSource} data:`,
    `font-src ${resources.cspSource}`,
  ].join('; ');
  const sections = chartTitles
    .map(({ id, title, hint }) => `<section class="chart-section"><h3 title="${escapeHtml(hint)}">${escapeHtml(title)}</h3><div class="chart-box chart-${id}"><canvas id="chart-${id}" role="img" aria-label="${escapeHtml(title)}"></canvas></div></section>`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeHtml(resources.styleUri)}" nonce="${nonce}">
  ${extraHead.replace(/__NONCE__/g, nonce)}
  <title>ThanoRA Dashboard</title>
</head>
<body>
  <header>
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
  </header>
  <main>
    ${sections}
  </main>
  <script nonce="${nonce}" src="${escapeHtml(resources.scriptUri)}"></script>
</body>
</html>
`;
}
