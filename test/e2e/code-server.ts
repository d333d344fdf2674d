// Starts code-server 4.99.4 (installed by scripts/setup-code-server.sh) with its own user data and
// extensions folders, the .vsix installed, trust prompts off and no network features.
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import type { Page } from 'playwright-core';

export const repo = path.resolve(__dirname, '..', '..', '..');
export const codeServerEntry = path.join(process.env.THANORA_E2E_DIR ?? path.join(repo, '.e2e'), 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export interface CodeServer {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} during startup`);
    const ok = await new Promise<boolean>((resolve) => http.get(`${url}/healthz`, (r) => resolve(r.statusCode === 200)).on('error', () => resolve(false)));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/** `options.trust`: workspace trust on (code-server's default is off here), so a folder can open in Restricted Mode. */
export async function startCodeServer(root: string, vsix: string, settings: Record<string, unknown>, options: { trust?: boolean } = {}): Promise<CodeServer> {
  if (!fs.existsSync(codeServerEntry)) throw new Error(`${codeServerEntry} is missing; run scripts/setup-code-server.sh`);
  const userData = path.join(root, 'user-data');
  const extensions = path.join(root, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'explorer.compactFolders': false, 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, ...settings }, null, 2));
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  execFileSync(process.execPath, [codeServerEntry, ...common, '--install-extension', vsix], { stdio: 'pipe' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [codeServerEntry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', ...(options.trust ? [] : ['--disable-workspace-trust'])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await waitForHealth(url, child, 60000);
  return {
    url,
    log: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a palette command; retries while the extension's contributions are still being registered. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const found = await row.waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (found) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('Escape');
  }
  throw new Error(`command "${title}" is not in the command palette`);
}
