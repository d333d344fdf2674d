// A loopback HTTP server for the browser test: the dashboard page, its bundle and stylesheet, nothing else.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** `routes`: URL path → file on disk, or page text. */
export async function serveStatic(routes: Record<string, { file: string } | { text: string }>): Promise<StaticServer> {
  const server = http.createServer((request, response) => {
    const route = routes[(request.url ?? '/').split('?')[0]];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    const name = 'file' in route ? route.file : '.html';
    const type = types[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': type });
    response.end('file' in route ? fs.readFileSync(route.file) : route.text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
