// The dashboard page (same HTML, CSP and bundle as in VS Code) in headless Chromium, fed synthetic run
// folders through a stand-in for the VS Code webview API. Checks: `ready` first, state restored, every chart
// draws data (pixels in the data colours), per-chart empty states that say why, legends as toggles, smoothing
// and log scale, preparation phases, live appends, theme changes, a job run by train.py and imported, and no CSP
// violation. Screenshots land in
// out/test-artifacts/browser/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { chartElementIds, dashboardCharts, type ChartId } from '../../src/protocol/dashboard-charts';
import { listRuns, readRunEvents, readRunStatus } from '../../src/core/run-folder';
import { importJobRun } from '../../src/core/export-job/import-run';
import type { RunEvent } from '../../src/protocol/run-events';
import type { HostToWebviewMessage, RunSummary } from '../../src/protocol/webview-messages';
import { launchChromium } from '../support/chromium';
import { countPixelsNear, decodePng, type DecodedImage } from '../support/decode-png';
import { syntheticRunEvents, writeSyntheticRun } from '../support/synthetic-run';
import { dashboardBundle as bundle, repo, serveDashboard } from './dashboard-server';
import type { StaticServer } from './static-server';

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
type Rgb = [number, number, number];
const blue: Rgb = [0x37, 0x94, 0xff];
const orange: Rgb = [0xd1, 0x86, 0x16];
const palette: Rgb[] = [blue, orange, [0x89, 0xd1, 0x85], [0xb1, 0x80, 0xd7]];

async function paletteCounts(page: Page, id: ChartId, colors = palette, shot: string = id): Promise<number> {
  const png = await page.locator(`#${chartElementIds(id).canvas}`).screenshot();
  fs.writeFileSync(path.join(artifacts, `${shot}.png`), png);
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
const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
const emptyText = (page: Page, id: ChartId) => text(page, `#${chartElementIds(id).empty}`);
const isEmpty = (page: Page, id: ChartId) => page.locator(`section[data-chart="${id}"]`).evaluate((e) => e.classList.contains('is-empty'));

describe('dashboard in headless Chromium', function () {
  this.timeout(60000);
  let browser: Browser;
  let server: StaticServer;
  let runsRoot: string;
  let page: Page;
  let runs: RunSummary[];
  const run = (id: string) => runs.find((r) => r.runId === id)!;
  const showData = async (...ids: string[]) => {
    for (const id of ids) await send(page, { type: 'runData', runDir: run(id).runDir, events: readRunEvents(run(id).runDir), status: readRunStatus(run(id).runDir) });
  };

  before(async () => {
    assert.ok(fs.existsSync(bundle), `${bundle} is missing; run \`node scripts/build-extension.mjs --only=webview\` first`);
    fs.mkdirSync(artifacts, { recursive: true });
    runsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-browser-'));
    const tasks = ['copy', 'reverse', 'sort', 'add'];
    writeSyntheticRun(path.join(runsRoot, 'minimal'), { runId: 'a-thanora', steps: 60, label: 'thanora' });
    writeSyntheticRun(path.join(runsRoot, 'minimal'), { runId: 'b-lora', method: 'lora', steps: 60, lossScale: 1.4 });
    writeSyntheticRun(path.join(runsRoot, 'minimal'), { runId: 'c-live', steps: 80, upToStep: 30 });
    writeSyntheticRun(path.join(runsRoot, 'four'), { runId: 'd-four-tasks', steps: 400, tasks, layers: 4, evalEvery: 100, noise: 0.25 });
    writeSyntheticRun(path.join(runsRoot, 'four'), { runId: 'e-early', steps: 2400, upToStep: 25, tasks, evalEvery: 20 });
    // Long enough that the step charts are drawn decimated to their pixel columns (pixel-buckets.ts).
    writeSyntheticRun(path.join(runsRoot, 'long'), { runId: 'f-long', steps: 6000, upToStep: 5000, tasks, evalEvery: 1000, noise: 0.25 });
    // A real exported job run by train.py (scripts/make-job-run-fixture.sh), as `thanora import-run` brings it home.
    importJobRun(path.join(repo, 'test', 'fixtures', 'job-run'), { into: path.join(runsRoot, 'job') });
    // A run named as the trainer names them, whose status.json (rewritten only at checkpoints) still says step 0.
    const named = writeSyntheticRun(path.join(runsRoot, 'named'), { runId: 'thanora-20261203-080958', steps: 2400, upToStep: 1595 });
    const status = JSON.parse(fs.readFileSync(path.join(named, 'status.json'), 'utf8'));
    fs.writeFileSync(path.join(named, 'status.json'), JSON.stringify({ ...status, step: 0 }));
    // Settings as the trainer writes them (config.json), differing in the method only.
    const config = (method: object) => JSON.stringify({ file: '/w/thanora.json', output: '/w/runs', lora: { r: 8 }, method, training: { steps: 60 } });
    fs.writeFileSync(path.join(runsRoot, 'minimal', 'a-thanora', 'config.json'), config({ name: 'thanora', lambda: 0.001 }));
    fs.writeFileSync(path.join(runsRoot, 'minimal', 'b-lora', 'config.json'), config({ name: 'lora', lambda: 0 }));
    fs.writeFileSync(path.join(runsRoot, 'minimal', 'c-live', 'config.json'), config({ name: 'thanora', lambda: 0.001 }));
    runs = listRuns([runsRoot]);
    server = await serveDashboard(themeStyle + fakeVsCodeApi);
    browser = await launchChromium();
    // The sidebar's default width in VS Code is about 300–420 px.
    page = await browser.newPage({ viewport: { width: 420, height: 2200 } });
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

  it('an empty workspace shows one message that offers New Experiment, not empty charts', async () => {
    await load();
    assert.deepStrictEqual((await posted(page))[0], { type: 'ready' });
    await send(page, { type: 'hostState', training: false, trusted: true });
    await send(page, { type: 'runs', runs: [] });
    assert.ok(await page.locator('#empty-state').isVisible());
    assert.match(await text(page, '#empty-state'), /No runs yet.*New Experiment/s);
    assert.ok(!(await page.locator('#charts').isVisible()), 'no empty charts under the message');
    await page.locator('#new-experiment-button').click();
    assert.deepStrictEqual((await posted(page)).at(-1), { type: 'newExperiment' });
    await page.screenshot({ path: path.join(artifacts, 'empty-workspace.png') });
  });

  it('posts ready first and draws every chart from the run folders, a LoRA run overlaid', async () => {
    await load();
    await send(page, { type: 'hostState', training: false, trusted: true });
    await send(page, { type: 'runs', runs, select: run('a-thanora').runDir });
    const show = (await posted(page)).find((m) => m.type === 'showRuns');
    assert.deepStrictEqual(show, { type: 'showRuns', runDir: run('a-thanora').runDir, compareWith: [] });
    // Tick the lora run in the compare list, as a user would.
    await page.locator(`vscode-checkbox[data-run-dir="${run('b-lora').runDir}"]`).click();
    assert.deepStrictEqual((await posted(page)).at(-1), { type: 'showRuns', runDir: run('a-thanora').runDir, compareWith: [run('b-lora').runDir] });
    await showData('a-thanora', 'b-lora');
    await page.waitForSelector('body[data-rendered-runs="2"]');
    for (const { id } of dashboardCharts) {
      assert.strictEqual(await isEmpty(page, id), false, `${id} says: ${await emptyText(page, id)}`);
      const count = await paletteCounts(page, id);
      // A drawn line of 1.5 px across a ~400 px plot gives several hundred pixels; empty charts give 0.
      assert.ok(count > 300, `chart ${id}: only ${count} pixels in data colours (screenshot in ${artifacts})`);
    }
    assert.match(await text(page, '#progress-text'), /finished: step 60\/60/);
    // The per-layer title follows the latest angles (it read "angle at step –" for the whole run).
    assert.match((await page.locator('#chart-anglesLayers').getAttribute('aria-label')) ?? '', /angle at step 60 \(°\) by layer/);
    // The legend is a list of toggles outside the plot: one per series, compared runs named.
    const legend = page.locator(`#${chartElementIds('taskLoss').legend} .legend-item`);
    assert.deepStrictEqual(await legend.allTextContents(), ['thanora: reverse', 'thanora: uppercase', 'lora: reverse', 'lora: uppercase']);
    assert.deepStrictEqual(await page.evaluate(() => (globalThis as unknown as PageGlobals).__csp), []);
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  });

  it('a legend entry hides and shows its series', async () => {
    const before = await paletteCounts(page, 'taskLoss', [orange]);
    const item = page.locator(`#${chartElementIds('taskLoss').legend} .legend-item`, { hasText: 'thanora: uppercase' });
    await item.click();
    assert.strictEqual(await item.getAttribute('aria-pressed'), 'false');
    const hidden = await paletteCounts(page, 'taskLoss', [orange], 'taskLoss-hidden');
    assert.ok(hidden < before * 0.7, `hiding "thanora: uppercase" left ${hidden} of ${before} orange pixels`);
    await page.locator(`#${chartElementIds('taskLoss').legend} .legend-item`, { hasText: 'thanora: uppercase' }).click();
    assert.ok((await paletteCounts(page, 'taskLoss', [orange])) > before * 0.9);
  });

  it('hovering a step chart draws the crosshair at that step on the other step charts', async () => {
    const shot = () => page.locator('#chart-throughput').screenshot();
    const before = await shot();
    const box = (await page.locator('#chart-taskLoss').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const during = await shot();
    fs.writeFileSync(path.join(artifacts, 'throughput-crosshair.png'), during);
    // The hovered chart's tooltip lists every series at that step (look at the screenshot).
    fs.writeFileSync(path.join(artifacts, 'taskLoss-tooltip.png'), await page.locator('#chart-taskLoss').screenshot());
    assert.ok(!during.equals(before), 'the throughput chart shows the hovered step');
    await page.mouse.move(2, 2);
    await page.waitForTimeout(100);
    assert.ok((await shot()).equals(before), 'the crosshair goes when the pointer leaves');
  });

  it('dragging across a step chart zooms every step chart to those steps; Reset zoom shows the run again', async () => {
    const label = (id: ChartId) => page.locator(`#${chartElementIds(id).canvas}`).getAttribute('aria-label');
    const full = await page.locator('#chart-throughput').screenshot();
    const box = (await page.locator('#chart-taskLoss').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    // Chart.js handles pointer events on the next animation frame.
    await page.locator('#chart-throughput[aria-label*="zoomed"]').waitFor({ timeout: 5000 });
    const zoomed = /zoomed to (\d+)–(\d+)\)$/.exec((await label('throughput')) ?? '');
    assert.ok(zoomed, `the throughput chart follows the zoom: ${await label('throughput')}`);
    const [from, to] = [Number(zoomed[1]), Number(zoomed[2])];
    // 60 steps across the plot: the middle fifth is about steps 20–40 (the plot starts after the y axis labels).
    assert.ok(from >= 10 && from <= 35 && to > from && to - from <= 20, `zoomed to steps ${from}–${to}`);
    assert.match((await label('loss')) ?? '', new RegExp(`zoomed to ${from}–${to}`));
    assert.doesNotMatch((await label('anglesLayers')) ?? '', /zoomed/, 'the per-layer chart keeps its layers');
    assert.ok(await page.locator('#reset-zoom').isVisible());
    fs.writeFileSync(path.join(artifacts, 'throughput-zoomed.png'), await page.locator('#chart-throughput').screenshot());
    await page.locator('#reset-zoom').click();
    assert.doesNotMatch((await label('throughput')) ?? '', /zoomed/);
    assert.ok(!(await page.locator('#reset-zoom').isVisible()));
    await page.mouse.move(2, 2);
    await page.waitForTimeout(100);
    assert.ok((await page.locator('#chart-throughput').screenshot()).equals(full), 'the whole run is drawn again');
  });

  it('Export CSV sends the chart\'s raw points, Export PNG the chart as drawn under its title and legend', async () => {
    await page.locator('section[data-chart="eval"] button.chart-export[data-format="csv"]').click();
    const csv = (await posted(page)).at(-1) as unknown as { type: string; runDir: string; chart: string; format: string; data: string };
    assert.deepStrictEqual([csv.type, csv.runDir, csv.chart, csv.format], ['exportChart', run('a-thanora').runDir, 'eval', 'csv']);
    const lines = csv.data.trimEnd().split('\n');
    assert.strictEqual(lines[0], 'series,step,eval accuracy');
    const evals = readRunEvents(run('a-thanora').runDir).flatMap((e) => (e.type === 'eval' ? e.tasks.map((t) => `thanora: ${t.task},${e.step},${t.accuracy}`) : []));
    const lora = readRunEvents(run('b-lora').runDir).flatMap((e) => (e.type === 'eval' ? e.tasks.map((t) => `lora: ${t.task},${e.step},${t.accuracy}`) : []));
    assert.deepStrictEqual(lines.slice(1).sort(), [...evals, ...lora].sort(), 'every eval point of both runs, as recorded');
    await page.locator('section[data-chart="loss"] button.chart-export[data-format="png"]').click();
    const png = (await posted(page)).at(-1) as unknown as { chart: string; format: string; data: string };
    assert.deepStrictEqual([png.chart, png.format], ['loss', 'png']);
    const image = decodePng(Buffer.from(png.data, 'base64'));
    fs.writeFileSync(path.join(artifacts, 'exported-loss.png'), Buffer.from(png.data, 'base64'));
    assert.ok(countPixelsNear(image, blue, 30) + countPixelsNear(image, orange, 30) > 300, 'the exported PNG holds the drawn lines');
    // On the page's background, not transparent (a dark theme's text would vanish in a light viewer).
    assert.ok(countPixelsNear(image, [0x1e, 0x1e, 0x1e], 4) > image.width * image.height * 0.5, 'the exported PNG has the theme background');
    // It stands on its own: a band above the plot holds the title (in the foreground colour) and the legend's
    // swatches (the first series' blue), which the page draws in HTML outside the canvas.
    const canvas = await page.locator('#chart-loss').evaluate((c) => ({ width: (c as unknown as { width: number }).width, height: (c as unknown as { height: number }).height }));
    assert.strictEqual(image.width, canvas.width);
    const band = image.height - canvas.height;
    assert.ok(band > 20, `a header band above the plot (${band} px)`);
    const header: DecodedImage = { width: image.width, height: band, rgba: image.rgba.subarray(0, band * image.width * 4) };
    assert.ok(countPixelsNear(header, [0xcc, 0xcc, 0xcc], 60) > 50, 'the title and legend text');
    assert.ok(countPixelsNear(header, blue, 30) > 10, 'the legend swatch of the first series');
  });

  it('a LoRA run says why it has no allocation and no angles', async () => {
    await page.locator('#run-select').evaluate((e, runDir) => {
      (e as unknown as { value: string }).value = runDir;
      e.dispatchEvent(new Event('change'));
    }, run('b-lora').runDir);
    await showData('b-lora');
    for (const id of ['allocation', 'allocationHeatmap', 'anglesSteps', 'anglesLayers'] as const) {
      assert.ok(await isEmpty(page, id), `${id} is drawn for a LoRA run`);
      assert.match(await emptyText(page, id), /LoRA has no task blocks/);
    }
    const lossPixels = await paletteCounts(page, 'loss', palette, 'loss-lora');
    // One 1.5 px line across a ~330 px plot gives 200–300 pixels in its colour; an empty chart gives 0.
    assert.ok(lossPixels > 150, `the loss of the LoRA run is drawn (${lossPixels} pixels)`);
    await page.screenshot({ path: path.join(artifacts, 'lora-run.png'), fullPage: true });
  });

  it('four tasks: distinct colours, smoothing with the raw values faint, log scale, markers on a single eval', async () => {
    await load();
    await send(page, { type: 'runs', runs, select: run('d-four-tasks').runDir });
    await showData('d-four-tasks');
    await page.waitForSelector('body[data-rendered-runs="1"]');
    // Six pairs: six colours, A solid and B dashed, twelve legend entries that do not shrink the plot.
    const pairs = await page.locator(`#${chartElementIds('anglesLayers').legend} .legend-item`).count();
    assert.strictEqual(pairs, 12);
    const box = await page.locator('#chart-anglesLayers').boundingBox();
    assert.ok(box && box.height >= 180, `the plot keeps its height under a 12-entry legend (${box?.height} px)`);
    const swatches = await page.locator(`#${chartElementIds('anglesLayers').legend} .legend-swatch:not(.dashed)`).evaluateAll((spans) => spans.map((s) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopColor: string } }).getComputedStyle(s).borderTopColor));
    assert.strictEqual(new Set(swatches).size, 6, `one colour per pair: ${swatches.join(', ')}`);
    // The allocation as heatmaps: four tasks and the cooperative block, a row per layer, a column per module;
    // the cell under the pointer names its block, layer, module and the rank the allocation event recorded.
    const allocation = readRunEvents(run('d-four-tasks').runDir).find((e) => e.type === 'allocation')!;
    assert.match((await page.locator('#chart-allocationHeatmap').getAttribute('aria-label')) ?? '', /copy, reverse, sort, add, cooperative: 4 layers × 2 modules/);
    assert.strictEqual(await text(page, `#${chartElementIds('allocationHeatmap').legend}`), 'columns: self_attn.q_proj · self_attn.v_proj');
    const heat = (await page.locator('#chart-allocationHeatmap').boundingBox())!;
    // Layout of allocation-heatmap.ts: panels at least 150 px wide with 12 px gaps, a 22 px layer column, 16 px title and rows.
    const columns = Math.max(1, Math.min(5, Math.floor((heat.width + 12) / 162)));
    const panelWidth = (heat.width - (columns - 1) * 12) / columns;
    for (const [t, task] of ['copy', 'reverse', 'sort', 'add'].entries()) {
      const x = heat.x + (t % columns) * (panelWidth + 12) + 22 + (panelWidth - 22) * 0.75;
      const y = heat.y + Math.floor(t / columns) * (16 + 4 * 16 + 12) + 16 + 2 * 16 + 8;
      await page.mouse.move(x, y);
      const module = allocation.modules.find((m) => m.module === 'model.layers.2.self_attn.v_proj')!;
      assert.strictEqual(await page.locator('#chart-allocationHeatmap').getAttribute('title'), `${task}: layer 2 self_attn.v_proj, r_t = ${module.ranks[t]}`);
    }
    await page.mouse.move(2, 2);
    assert.ok((await paletteCounts(page, 'allocationHeatmap', palette, 'allocation-heatmap-four-tasks')) > 50, 'the heatmaps are drawn in the tasks\' colours');
    await paletteCounts(page, 'taskLoss', palette, 'taskLoss-smoothed');
    await paletteCounts(page, 'anglesLayers', palette, 'anglesLayers-four-tasks');
    // Smoothing off: no faint raw line, fewer pixels outside the data colours' exact shades.
    await page.locator('#smoothing').fill('0');
    await paletteCounts(page, 'taskLoss', palette, 'taskLoss-raw');
    await page.locator('#smoothing').fill('0.9');
    assert.strictEqual(await text(page, '#smoothing-value'), '0.90');
    await page.locator('#log-scale').click();
    assert.match((await page.locator('#chart-loss').getAttribute('aria-label')) ?? '', /\(log scale\)/);
    // Wall time on the x axis, then back to steps.
    await page.locator('#wall-time').click();
    assert.match((await page.locator('#chart-taskLoss').getAttribute('aria-label')) ?? '', /by minutes$/);
    assert.ok((await paletteCounts(page, 'taskLoss', palette, 'taskLoss-wall-time')) > 300);
    await page.locator('#wall-time').click();
    assert.match((await page.locator('#chart-taskLoss').getAttribute('aria-label')) ?? '', /by step$/);
    assert.ok((await paletteCounts(page, 'loss', palette, 'loss-log')) > 300);
    await page.screenshot({ path: path.join(artifacts, 'four-tasks.png'), fullPage: true });

    // Early in a long run: one eval point, drawn as a marker on an axis of the steps so far.
    await send(page, { type: 'runs', runs, select: run('e-early').runDir });
    await showData('e-early');
    assert.ok((await paletteCounts(page, 'eval', palette, 'eval-single-point')) > 20, 'a single eval point is visible');
    assert.match(await page.locator('#run-select vscode-option[selected]').textContent() ?? '', /e-early · running 25\/2400/);
  });

  it('the run picker names a run briefly with its live step, not "(running, 0/2400)" from a stale status.json', async () => {
    const id = 'thanora-20261203-080958';
    await send(page, { type: 'runs', runs, select: run(id).runDir });
    const option = page.locator('#run-select vscode-option[selected]');
    assert.strictEqual((await option.textContent())?.trim(), 'thanora 12-03 08:09 · running 1595/2400');
    assert.match((await option.getAttribute('description')) ?? '', new RegExp(id));
  });

  it('shows the preparation phases instead of "step 0"', async () => {
    await send(page, { type: 'runs', runs, select: run('e-early').runDir });
    const time = new Date().toISOString();
    const phases: RunEvent[] = [
      { type: 'phase', phase: 'preview', done: 2, total: 5, time },
    ];
    await send(page, { type: 'runData', runDir: run('e-early').runDir, events: phases, status: null });
    assert.match(await text(page, '#progress-text'), /preparing: preview passes \(activation covariances\) 2\/5/);
    assert.match(await emptyText(page, 'loss'), /Preparing the run: preview passes/);
    await send(page, { type: 'runEvents', runDir: run('e-early').runDir, events: [{ type: 'phase', phase: 'graph', done: 0, total: 1, time }] });
    assert.match(await text(page, '#progress-text'), /preparing: building the training graph/);
    await page.screenshot({ path: path.join(artifacts, 'preparing.png') });
  });

  it('restores the selection and settings after a reload and appends live events', async () => {
    await load();
    await send(page, { type: 'runs', runs, select: run('c-live').runDir });
    await showData('c-live');
    await page.waitForSelector('body[data-rendered-runs="1"]');
    assert.match(await text(page, '#progress-text'), /running: step 30\/80/);
    const more = syntheticRunEvents({ runId: 'c-live', steps: 80, upToStep: 45 }).filter((e) => 'step' in e && e.step > 30 && e.step <= 45);
    await send(page, { type: 'runEvents', runDir: run('c-live').runDir, events: more });
    assert.match(await text(page, '#progress-text'), /running: step 45\/80/);
    assert.match(await page.locator('#run-select vscode-option[selected]').textContent() ?? '', /running 45\/80/, 'the run list follows the live step');
    // Appended in place, the charts draw what the whole events draw: the same pixels as the run sent at once.
    const shots = async () => Promise.all(['loss', 'taskLoss', 'throughput'].map((id) => page.locator(`#chart-${id}`).screenshot()));
    const live = await shots();
    const whole = [...readRunEvents(run('c-live').runDir), ...more];
    await send(page, { type: 'runData', runDir: run('c-live').runDir, events: whole, status: null });
    (await shots()).forEach((shot, i) => assert.ok(shot.equals(live[i]), `chart ${i}: live appends draw what the whole run draws`));
    // The run ends before the host's next run list: the picker says so at once.
    await send(page, { type: 'runEvents', runDir: run('c-live').runDir, events: [{ type: 'end', step: 45, time: new Date().toISOString(), state: 'stopped' }] });
    assert.match(await page.locator('#run-select vscode-option[selected]').textContent() ?? '', /stopped at 45\/80/);

    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.length > 0);
    await send(page, { type: 'runs', runs });
    const show = (await posted(page)).find((m) => m.type === 'showRuns');
    assert.deepStrictEqual(show, { type: 'showRuns', runDir: run('c-live').runDir, compareWith: [] }, 'the run picked before the reload comes back');
    assert.strictEqual(await page.locator('#smoothing').inputValue(), '0.9');
  });

  it('a long run drawn decimated: live appends draw the same pixels as the whole run sent at once', async () => {
    await load();
    await send(page, { type: 'runs', runs, select: run('f-long').runDir });
    await showData('f-long');
    const all = syntheticRunEvents({ runId: 'f-long', steps: 6000, tasks: ['copy', 'reverse', 'sort', 'add'], evalEvery: 1000, noise: 0.25 });
    const later = all.filter((e) => 'step' in e && e.step > 5000 && e.type !== 'end');
    for (let from = 0; from < later.length; from += 250) await send(page, { type: 'runEvents', runDir: run('f-long').runDir, events: later.slice(from, from + 250) });
    assert.match(await text(page, '#progress-text'), /running: step 6000\/6000/);
    const shots = async () => Promise.all(['loss', 'taskLoss', 'throughput', 'eval'].map((id) => page.locator(`#chart-${id}`).screenshot()));
    const live = await shots();
    fs.writeFileSync(path.join(artifacts, 'long-run-taskLoss.png'), live[1]);
    await send(page, { type: 'runData', runDir: run('f-long').runDir, events: [...readRunEvents(run('f-long').runDir), ...later], status: null });
    (await shots()).forEach((shot, i) => assert.ok(shot.equals(live[i]), `chart ${i}: live appends draw what the whole run draws`));
    assert.ok((await paletteCounts(page, 'taskLoss', palette, 'long-run-taskLoss-whole')) > 500, 'the four task losses are drawn');
  });

  it('the editor tab: a runs table with the config diff and results against the base, ticking a row overlays it', async () => {
    const wide = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    wide.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
    try {
      await wide.goto(`${server.origin}/editor`);
      await wide.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.length > 0);
      await send(wide, { type: 'hostState', training: false, trusted: true });
      await send(wide, { type: 'runs', runs, select: run('a-thanora').runDir });
      const header = await wide.locator('.runs-table thead th').allTextContents();
      assert.deepStrictEqual(header.slice(0, 5), ['Show', 'Run', 'Method', 'method.name', 'method.lambda'], 'only the settings that differ');
      assert.ok(header.includes('reverse final (Δ base)') && header.includes('uppercase best'));
      const rows = await wide.locator('.runs-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { runDir: string } }).dataset.runDir));
      assert.deepStrictEqual(rows.sort(), [run('a-thanora').runDir, run('b-lora').runDir, run('c-live').runDir].sort(), 'the runs of the selected run\'s experiment');
      const lora = wide.locator(`.runs-table tr[data-run-dir="${run('b-lora').runDir}"]`);
      assert.match((await lora.textContent()) ?? '', /lora.*finished.*60\/60.*100\.0%/);
      await lora.locator('input[type="checkbox"]').check();
      assert.deepStrictEqual((await posted(wide)).at(-1), { type: 'showRuns', runDir: run('a-thanora').runDir, compareWith: [run('b-lora').runDir] });
      for (const id of ['a-thanora', 'b-lora']) await send(wide, { type: 'runData', runDir: run(id).runDir, events: readRunEvents(run(id).runDir), status: readRunStatus(run(id).runDir) });
      await wide.waitForSelector('body[data-rendered-runs="2"]');
      // Rename (✎, Enter), notes, Delete: each goes to the host, which writes notes.json or asks to delete.
      await lora.locator('button.run-rename').click();
      await lora.locator('input.run-name-input').fill('LoRA baseline r=8');
      await lora.locator('input.run-name-input').press('Enter');
      assert.deepStrictEqual((await posted(wide)).at(-1), { type: 'setRunNotes', runDir: run('b-lora').runDir, name: 'LoRA baseline r=8', notes: '' });
      await lora.locator('input.run-notes').fill('no SPR: compare the angles');
      await lora.locator('input.run-notes').press('Tab');
      assert.deepStrictEqual((await posted(wide)).at(-1), { type: 'setRunNotes', runDir: run('b-lora').runDir, name: '', notes: 'no SPR: compare the angles' });
      await lora.locator('button.run-delete').click();
      assert.deepStrictEqual((await posted(wide)).at(-1), { type: 'deleteRun', runDir: run('b-lora').runDir });
      assert.ok(await wide.locator(`.runs-table tr[data-run-dir="${run('c-live').runDir}"] button.run-delete`).isDisabled(), 'a running run cannot be deleted');
      // The host answers with the run list, the name and notes read back from the folder.
      const named = runs.map((r) => (r.runId === 'b-lora' ? { ...r, name: 'LoRA baseline r=8', notes: 'no SPR: compare the angles' } : r));
      await send(wide, { type: 'runs', runs: named });
      assert.strictEqual(await lora.locator('button.run-name').textContent(), 'LoRA baseline r=8');
      assert.strictEqual(await lora.locator('input.run-notes').inputValue(), 'no SPR: compare the angles');
      assert.deepStrictEqual(
        await wide.locator(`#${chartElementIds('taskLoss').legend} .legend-item`).allTextContents(),
        ['thanora: reverse', 'thanora: uppercase', 'LoRA baseline r=8: reverse', 'LoRA baseline r=8: uppercase'],
        'the overlaid run is named in the legends',
      );
      const columns = await wide.locator('#charts').evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { gridTemplateColumns: string } }).getComputedStyle(e).gridTemplateColumns.split(' ').length);
      assert.ok(columns >= 2, `charts side by side in the editor (${columns} columns)`);
      await wide.screenshot({ path: path.join(artifacts, 'editor-dashboard.png'), fullPage: true });
    } finally {
      await wide.close();
    }
  });

  it('a job run by train.py on 2 processes and imported with `thanora import-run`: its losses, SPR, angles and evals', async () => {
    const job = run('job-run');
    assert.deepStrictEqual([job.label, job.method, job.state, job.step, job.totalSteps], ['thanora', 'thanora', 'finished', 40, 40]);
    await load();
    await send(page, { type: 'hostState', training: false, trusted: true });
    await send(page, { type: 'runs', runs, select: job.runDir });
    await showData('job-run');
    await page.waitForSelector('body[data-rendered-runs="1"]');
    assert.match(await text(page, '#progress-text'), /finished: step 40\/40/);
    for (const id of ['allocation', 'loss', 'taskLoss', 'anglesSteps', 'anglesLayers', 'eval', 'throughput'] as const) {
      assert.strictEqual(await isEmpty(page, id), false, `${id} says: ${await emptyText(page, id)}`);
      const count = await paletteCounts(page, id, palette, `job-run-${id}`);
      // A line across the plot gives a few hundred pixels; the eval chart has 5 points per task (markers and lines).
      assert.ok(count > 100, `chart ${id} of the job run: only ${count} pixels in data colours (screenshot in ${artifacts})`);
    }
    const legend = (id: ChartId) => page.locator(`#${chartElementIds(id).legend} .legend-item`).allTextContents();
    assert.deepStrictEqual(await legend('taskLoss'), ['upper', 'reverse']);
    assert.ok((await legend('loss')).some((t) => /SPR/.test(t)), `the loss chart has an L_SPR series: ${(await legend('loss')).join(', ')}`);
    assert.deepStrictEqual(await legend('eval'), ['upper', 'reverse']);
    await page.screenshot({ path: path.join(artifacts, 'job-run.png'), fullPage: true });
  });

  it('redraws in the new colours when the theme changes', async () => {
    const magenta: Rgb[] = [[0xff, 0x00, 0xff]];
    await showData('c-live');
    assert.strictEqual(await paletteCounts(page, 'loss', magenta), 0);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.classList.add('theme-test'));
    await page.waitForTimeout(100);
    const redrawn = await paletteCounts(page, 'loss', magenta, 'loss-theme');
    assert.ok(redrawn > 150, `loss chart not redrawn in the theme's --vscode-charts-blue (${redrawn} pixels)`);
  });
});
