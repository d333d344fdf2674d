// The page shell every webview of ours uses. Strict CSP: nothing but our own bundle (by nonce) and local
// resources from the extension folder; no inline script or style, no remote hosts. vscode-free so the browser
// tests render the same pages.
import { randomBytes } from 'crypto';

export interface WebviewPageResources {
  /** webview.cspSource: the origin local resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export interface WebviewPage {
  title: string;
  /** The markup inside <body>, before our script. */
  body: string;
  bodyClass?: string;
  /** Allow `data:` images (PNG exports of charts drawn by the page). */
  dataImages?: boolean;
  /** Placed in <head> with `__NONCE__` replaced by the page's nonce (the browser tests' stand-ins). */
  extraHead?: string;
}

function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function webviewPageHtml(resources: WebviewPageResources, page: WebviewPage): string {
  const nonce = resources.nonce ?? makeNonce();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${resources.cspSource} 'nonce-${nonce}'`,
    `img-src ${resources.cspSource}${page.dataImages ? ' data:' : ''}`,
    `font-src ${resources.cspSource}`,
  ].join('; ');
  const bodyClass = page.bodyClass ? ` class="${escapeHtml(page.bodyClass)}"` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeHtml(resources.styleUri)}" nonce="${nonce}">
  ${(page.extraHead ?? '').replace(/__NONCE__/g, nonce)}
  <title>${escapeHtml(page.title)}</title>
</head>
<body${bodyClass}>
${page.body}
  <script nonce="${nonce}" src="${escapeHtml(resources.scriptUri)}"></script>
</body>
</html>
`;
}
