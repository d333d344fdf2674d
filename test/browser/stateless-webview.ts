// A stand-in for the VS Code webview API without saved state (the dashboard test keeps its state across reloads
// with its own), for pages the browser tests drive: what the page posts and its CSP violations are collected
// on window, and the test posts host messages into the page.
import type { Page } from 'playwright-core';

export const fakeVsCodeApi = `<script nonce="__NONCE__">
  window.__posted = []; window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => null, setState: () => undefined });
</script>`;

// The root tsconfig has no DOM lib; page-side code reaches the page's globals through this shape.
interface PageGlobals {
  __posted: { type: string; [key: string]: unknown }[];
  __csp: string[];
  postMessage(message: unknown, origin: string): void;
}

/** Delivers `message` to the page as the host's postMessage would. */
export const sendToPage = (page: Page, message: object) => page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message as Record<string, unknown>);

/** Everything the page posted so far, and the CSP violations it met. */
export const pageGlobals = (page: Page) => page.evaluate(() => ({ posted: (globalThis as unknown as PageGlobals).__posted, csp: (globalThis as unknown as PageGlobals).__csp }));

/** Resolves once the page has posted its first message (`ready`). */
export const pagePosted = (page: Page) => page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.length > 0);
