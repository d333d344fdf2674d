// The allocation preview page: the same strict CSP as the dashboard (our bundle by nonce, local resources,
// nothing inline, no remote hosts); the webview script (webview/src/allocation/) fills it from the plan.
// vscode-free so the browser test renders the same page.
import { makeNonce } from './dashboard-html';

export interface AllocationPageResources {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `extraHead` is placed in <head> with `__NONCE__` replaced by the page's nonce (the browser test's stand-ins). */
export function allocationHtml(resources: AllocationPageResources, extraHead = ''): string {
  const nonce = resources.nonce ?? makeNonce();
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${resources.cspSource} 'nonce-${nonce}'`, `img-src ${resources.cspSource}`, `font-src ${resources.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeHtml(resources.styleUri)}" nonce="${nonce}">
  ${extraHead.replace(/__NONCE__/g, nonce)}
  <title>ThanoRA: Rank Allocation</title>
</head>
<body>
  <header>
    <h2 id="plan-title">Rank allocation</h2>
    <p id="plan-subtitle" class="subtitle"></p>
    <button id="refresh-button" type="button" title="Preview again (after editing thanora.json)">Preview again</button>
    <p id="plan-status" class="status"></p>
    <p id="plan-error" class="error"></p>
  </header>
  <main>
    <section id="totals"></section>
    <section id="heatmaps"></section>
    <section id="estimate"></section>
  </main>
  <script nonce="${nonce}" src="${escapeHtml(resources.scriptUri)}"></script>
</body>
</html>
`;
}
