// The page side of a webview without saved state, for the browser tests: a stand-in for VS Code's webview API
// that records what the page posts and every CSP violation, and helpers to post to the page and read them.
import type { Page } from 'playwright-core';

/** A script for the page's head (its nonce placeholder is filled in by the page's HTML builder). */
export const fakeVsCodeApi = `<script nonce="__NONCE__">
  window.__posted = []; window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => null, setState: () => undefined });
</script>`;

// The root tsconfig has no DOM lib; page-side code reaches the page's globals through this shape.
export interface PageGlobals {
  __posted: { type: string; runDir?: string }[];
  __csp: string[];
  postMessage(message: unknown, origin: string): void;
}

/** Delivers a host message to the page, as the webview's message event. */
export const postToPage = (page: Page, message: object) => page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message as Record<string, unknown>);

/** What the page has posted so far and the CSP violations it met. */
export const pageGlobals = (page: Page) => page.evaluate(() => ({ posted: (globalThis as unknown as PageGlobals).__posted, csp: (globalThis as unknown as PageGlobals).__csp }));
