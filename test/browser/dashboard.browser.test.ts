// The dashboard page (same HTML, CSP and bundle as in VS Code) in headless Chromium, fed synthetic run
// folders through a stand-in for the VS Code webview API. Checks: `ready` first, state restored, every chart
// draws data (pixels in the data colours), live appends, theme changes, and no CSP violation.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { dashboardHtml } from '../../src/views/dashboard-html';
import { chartTitles } from '../../src/views/chart-titles';
import { listRuns, readRunEvents, readRunStatus } from '../../src/core/run-folder';
import type { HostToWebviewMessage } from '../../src/protocol/webview-messages';
import { launchChromium } from '../support/chromium';
import { countPixelsNear, decodePng } from '../support/decode-png';
import { syntheticRunEvents, writeSyntheticRun } from '../support/synthetic-run';
import { serveStatic, type StaticServer } from './static-server';

const repo = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(repo, 'dist', 'webview', 'dashboard.js');
const artifacts = path.join(repo, 'out', 'test-artifacts', 'browser');

// Dark+ colours; the charts must draw in the palette, so counting palette-coloured pixels finds the data.
const themeStyle = `<style nonce="__NONCE__">body { --vscode-editor-background: #1e1e1e; --vscode-foreground: #cccccc; --vscode-font-family: sans-serif;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-charts-red: #f14c4c; --vscode-charts-yellow: #cca700; }
  body.theme-test { --vscode-charts-blue: #ff00ff; }</style>`;
const fakeVsCodeApi = `<script nonce="__NONCE__">
  window.__posted = []; window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  let state = JSON.parse(sessionStorage.getItem('state') || 'null');
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => { state = s; sessionStorage.setItem('state', JSON.stringify(s)); } });
</script>`;
const palette: [number, number, number][] = [[0x37, 0x94, 0xff], [0xd1, 0x86, 0x16], [0x89, 0xd1, 0x85], [0xb1, 0x80, 0xd7]];

async function paletteCounts(page: Page, id: string, colors = palette): Promise<number> {
  const png = await page.locator(`#chart-${id}`).screenshot();
  fs.writeFileSync(path.join(artifacts, `${id}.png`), png);
  const image = decodePng(png);
  return colors.reduce((sum, color) => sum + countPixelsNear(image, color, 30), 0);
}

// The root tsconfig has no DOM lib; page-side code reaches the page's globals through this shape.
interface PageGlobals {
  __posted: { type: string }[];
  __csp: string[];
  postMessage(message: unknown, origin: string): void;
  document: { body: { classList: { add(name: string): void } } };
}
const send = (page: Page, message: HostToWebviewMessage) => page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message as unknown as Record<string, unknown>);
const posted = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted);

describe('dashboard in headless Chromium', function () {
  this.timeout(60000);
  let browser: Browser;
  let server: StaticServer;
  let runsRoot: string;
  let page: Page;

  before(async () => {
    assert.ok(fs.existsSync(bundle), `${bundle} is missing; run \`node scripts/build-extension.mjs --only=webview\` first`);
    fs.mkdirSync(artifacts, { recursive: true });
    runsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-browser-'));
    writeSyntheticRun(path.join(runsRoot, 'minimal'), { runId: 'a-thanora', steps: 60, label: 'thanora' });
    writeSyntheticRun(path.join(runsRoot, 'minimal'), { runId: 'b-lora', method: 'lora', steps: 60, lossScale: 1.4 });
    writeSyntheticRun(path.join(runsRoot, 'minimal'), { runId: 'c-live', steps: 80, upToStep: 30 });
    const routes: Parameters<typeof serveStatic>[0] = { '/dashboard.js': { file: bundle }, '/dashboard.css': { file: path.join(repo, 'media', 'dashboard.css') } };
    server = await serveStatic(routes);
    // The page names the server's origin (CSP, script and style URLs), so it is added once the port is known.
    routes['/'] = { text: dashboardHtml({ cspSource: server.origin, scriptUri: `${server.origin}/dashboard.js`, styleUri: `${server.origin}/dashboard.css` }, themeStyle + fakeVsCodeApi) };
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 420, height: 2000 } });
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(runsRoot, { recursive: true, force: true });
  });

  async function load(): Promise<void> {
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.length > 0);
  }

  it('posts ready first and draws every chart from the run folders', async () => {
    await load();
    assert.deepStrictEqual((await posted(page))[0], { type: 'ready' });
    for (const { id } of chartTitles) assert.strictEqual(await paletteCounts(page, id), 0, `${id} drew data before any arrived`);
    const runs = listRuns([runsRoot]);
    const main = runs.find((r) => r.runId === 'a-thanora')!;
    const lora = runs.find((r) => r.runId === 'b-lora')!;
    await send(page, { type: 'hostState', training: false, trusted: true });
    await send(page, { type: 'runs', runs, select: main.runDir });
    const show = (await posted(page)).find((m) => m.type === 'showRuns');
    assert.deepStrictEqual(show, { type: 'showRuns', runDir: main.runDir, compareWith: [] });
    // Tick the lora run in the compare list, as a user would.
    await page.locator(`vscode-checkbox[data-run-dir="${lora.runDir}"]`).click();
    const last = (await posted(page)).at(-1);
    assert.deepStrictEqual(last, { type: 'showRuns', runDir: main.runDir, compareWith: [lora.runDir] });
    for (const run of [main, lora]) await send(page, { type: 'runData', runDir: run.runDir, events: readRunEvents(run.runDir), status: readRunStatus(run.runDir) });
    await page.waitForSelector('body[data-rendered-runs="2"]');
    for (const { id } of chartTitles) {
      const count = await paletteCounts(page, id);
      // A drawn line of 1.5 px across a ~400 px plot gives several hundred pixels; empty charts give 0.
      assert.ok(count > 300, `chart ${id}: only ${count} pixels in data colours (screenshot in ${artifacts})`);
    }
    assert.match((await page.locator('#progress-text').textContent()) ?? '', /finished: step 60\/60/);
    assert.deepStrictEqual(await page.evaluate(() => (globalThis as unknown as PageGlobals).__csp), []);
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  });

  it('restores the selection after a reload and appends live events', async () => {
    await load();
    const runs = listRuns([runsRoot]);
    const live = runs.find((r) => r.runId === 'c-live')!;
    await send(page, { type: 'runs', runs, select: live.runDir });
    await send(page, { type: 'runData', runDir: live.runDir, events: readRunEvents(live.runDir), status: readRunStatus(live.runDir) });
    await page.waitForSelector('body[data-rendered-runs="1"]');
    assert.match((await page.locator('#progress-text').textContent()) ?? '', /running: step 30\/80/);
    const more = syntheticRunEvents({ runId: 'c-live', steps: 80, upToStep: 45 }).filter((e) => 'step' in e && e.step > 30 && e.step <= 45);
    await send(page, { type: 'runEvents', runDir: live.runDir, events: more });
    assert.match((await page.locator('#progress-text').textContent()) ?? '', /running: step 45\/80/);

    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.length > 0);
    await send(page, { type: 'runs', runs });
    const show = (await posted(page)).find((m) => m.type === 'showRuns');
    assert.deepStrictEqual(show, { type: 'showRuns', runDir: live.runDir, compareWith: [] }, 'the run picked before the reload comes back');
  });

  it('redraws in the new colours when the theme changes', async () => {
    const magenta: [number, number, number][] = [[0xff, 0x00, 0xff]];
    const runs = listRuns([runsRoot]);
    const live = runs.find((r) => r.runId === 'c-live')!;
    await send(page, { type: 'runData', runDir: live.runDir, events: readRunEvents(live.runDir), status: null });
    assert.strictEqual(await paletteCounts(page, 'loss', magenta), 0);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.classList.add('theme-test'));
    await page.waitForTimeout(100);
    assert.ok((await paletteCounts(page, 'loss', magenta)) > 300, 'loss chart not redrawn in the theme\'s --vscode-charts-blue');
  });
});
