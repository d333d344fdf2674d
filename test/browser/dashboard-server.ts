// The dashboard page served to the browser tests: '/' the sidebar layout, '/editor' the wide one, each with the
// test's stand-ins in <head>, and the bundle and stylesheet they load. The page names the server's origin (CSP,
// script and style URLs), so the pages are added once the port is known.
import * as path from 'path';
import { dashboardHtml } from '../../src/views/dashboard-html';
import { serveStatic, type StaticServer } from './static-server';

export const repo = path.resolve(__dirname, '..', '..', '..');
export const dashboardBundle = path.join(repo, 'dist', 'webview', 'dashboard.js');

export async function serveDashboard(extraHead: string): Promise<StaticServer> {
  const routes: Parameters<typeof serveStatic>[0] = { '/dashboard.js': { file: dashboardBundle }, '/dashboard.css': { file: path.join(repo, 'media', 'dashboard.css') } };
  const server = await serveStatic(routes);
  const resources = { cspSource: server.origin, scriptUri: `${server.origin}/dashboard.js`, styleUri: `${server.origin}/dashboard.css` };
  routes['/'] = { text: dashboardHtml(resources, extraHead) };
  routes['/editor'] = { text: dashboardHtml(resources, extraHead, 'editor') };
  return server;
}
