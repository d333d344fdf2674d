// The allocation preview page (the shared strict-CSP shell); the webview script (webview/src/allocation/) fills it
// from the plan. vscode-free so the browser test renders the same page.
import { WebviewPageResources, webviewPageHtml } from './webview-page';

/** `extraHead` is placed in <head> with `__NONCE__` replaced by the page's nonce (the browser test's stand-ins). */
export function allocationHtml(resources: WebviewPageResources, extraHead = ''): string {
  return webviewPageHtml(resources, {
    title: 'ThanoRA: Rank Allocation',
    extraHead,
    body: `  <header>
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
  </main>`,
  });
}
