// End to end in a real VS Code (code-server): install the .vsix, see the empty dashboard offer New Experiment,
// create the demo with "ThanoRA: New Experiment", run "ThanoRA: Start Training" from the command palette, see
// the dashboard fill and the finish toast offer Merge (no Resume), train a LoRA run next to it (its allocation
// and angle charts say why they are empty), break thanora.json (its problem in the Problems panel, the runs
// still listed), see the phases while a run prepares, export a chart's CSV and delete a run
// from the editor dashboard (through VS Code's dialogs), break a data line (the failure toast's Open and Show Log, the line in the Problems panel), see both runs in the editor tab's table, repaint in a light, a high-contrast and a dark theme,
// right-click the run folder → "Merge Adapter into Base Model", find the merged model in the workspace, and open
// the same workspace in Restricted Mode (runs shown, training refused).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Frame, Page } from 'playwright-core';
import { dashboardCharts } from '../../src/protocol/dashboard-charts';
import { launchChromium } from '../support/chromium';
import { countPixelsNear, decodePng } from '../support/decode-png';
import { repo, runCommand, startCodeServer, type CodeServer } from './code-server';

const vsix = path.join(repo, 'thanora-studio-linux-x64.vsix');
const artifacts = path.join(repo, 'out', 'test-artifacts', 'e2e');

async function waitForFile(file: string, timeoutMs: number, check: (text: string) => boolean = () => true): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      if (check(text)) return text;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${file}`);
}

/** The dashboard's document: webviews nest an iframe inside an iframe. */
async function dashboardFrame(page: Page, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.locator('#chart-loss').count().catch(() => 0)) return frame;
    }
    await page.waitForTimeout(500);
  }
  throw new Error('the ThanoRA dashboard webview did not appear');
}

/** Files under `dir` whose name matches, at any depth (the output channel's log sits deep in the logs folder). */
function findFiles(dir: string, name: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? findFiles(full, name) : name.test(e.name) ? [full] : [];
  });
}

/** The Problems panel's text, once it lists `expected`. */
async function problemsText(page: Page, expected: RegExp, timeoutMs = 30000): Promise<string> {
  await runCommand(page, 'View: Focus Problems');
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await page.locator('.markers-panel').textContent().catch(() => '')) ?? '';
    if (expected.test(text)) return text;
    await page.waitForTimeout(500);
  }
  throw new Error(`the Problems panel did not list ${expected}; it shows: ${text}`);
}

describe('ThanoRA in code-server', function () {
  this.timeout(600000);
  let root: string;
  let workspace: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    assert.ok(fs.existsSync(vsix), `${vsix} is missing; run \`npm run package\``);
    fs.mkdirSync(artifacts, { recursive: true });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-e2e-'));
    workspace = path.join(root, 'workspace');
    fs.mkdirSync(workspace);
    server = await startCodeServer(root, vsix, { 'thanora.device': 'cpu', 'thanora.threads': 2 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120000 });
    // The activity bar entry appears once the extension's contributions are registered.
    await page.locator('.activitybar [aria-label^="ThanoRA"]').first().waitFor({ timeout: 120000 });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await page.screenshot({ path: path.join(artifacts, `${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    if (server) fs.writeFileSync(path.join(artifacts, 'code-server.log'), server.log());
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('an empty workspace: the dashboard offers New Experiment instead of empty charts', async () => {
    await runCommand(page, 'ThanoRA: Open Dashboard');
    const frame = await dashboardFrame(page, 60000);
    await frame.locator('#empty-state', { hasText: 'New Experiment' }).waitFor({ timeout: 30000 });
    assert.strictEqual(await frame.locator('#charts').isVisible(), false);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-empty.png') });
  });

  it('creates the demo experiment from the command palette', async () => {
    await runCommand(page, 'ThanoRA: New Experiment');
    await waitForFile(path.join(workspace, 'thanora-demo', 'thanora.json'), 60000);
    // The command opens the new file; wait for its editor so it does not take the focus from the next palette.
    await page.locator('.tabs-container .tab', { hasText: 'thanora.json' }).first().waitFor();
    await page.waitForTimeout(1000);
    assert.ok(fs.existsSync(path.join(workspace, 'thanora-demo', 'model.onnx')));
    // Shorten the demo as a user would, by editing the experiment, so the suite stays quick.
    const file = path.join(workspace, 'thanora-demo', 'thanora.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    config.training = { ...config.training, steps: 40, evalEvery: 20, warmupSteps: 5 };
    fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  });

  it('trains the demo from the command palette and fills the dashboard', async () => {
    await runCommand(page, 'ThanoRA: Start Training');
    const runs = path.join(workspace, 'thanora-demo', 'runs');
    const deadline = Date.now() + 300000;
    let runDir: string | undefined;
    // Until the first step, the progress notification names the phase the run is in.
    const notified = new Set<string>();
    const firstStep = (dir: string | undefined) => !!dir && fs.existsSync(path.join(dir, 'metrics.jsonl')) && fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').includes('"type":"step"');
    while (!firstStep(runDir) && Date.now() < deadline) {
      runDir ??= fs.existsSync(runs) ? fs.readdirSync(runs).map((d) => path.join(runs, d)).find((d) => fs.existsSync(path.join(d, 'status.json'))) : undefined;
      for (const text of await page.locator('.notifications-toasts .notification-toast', { hasText: 'ThanoRA' }).allTextContents().catch(() => [])) notified.add(text);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(runDir, 'no run folder appeared');
    const phasesShown = [...notified].join(' | ');
    assert.match(phasesShown, /preview passes \(activation covariances\) \d+\/\d+|initialising the adapters \(SVDs, rank allocation\) \d+\/\d+/, `the notification counts a phase's parts: ${phasesShown}`);
    await waitForFile(path.join(runDir, 'status.json'), 480000, (t) => JSON.parse(t).state !== 'running');
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8')).state, 'finished');
    const frame = await dashboardFrame(page, 60000);
    await frame.locator('#progress-text', { hasText: 'finished' }).waitFor({ timeout: 60000 });
    const drawn = await frame.locator('section.chart-section:not(.is-empty) canvas').count();
    assert.strictEqual(drawn, dashboardCharts.length, `a ThanoRA run draws all ${dashboardCharts.length} charts`);
    // The finish toast offers what comes next.
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'ThanoRA training finished' });
    await toast.waitFor({ timeout: 60000 });
    for (const action of ['Open Dashboard', 'Merge']) assert.ok(await toast.locator('.monaco-button', { hasText: action }).count(), `the finish toast has ${action}`);
    assert.strictEqual(await toast.locator('.monaco-button', { hasText: 'Resume' }).count(), 0, 'a finished run is not offered Resume');
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png') });
    // The device is told once, with where it came from (the e2e settings set thanora.device to cpu).
    const logs = findFiles(path.join(root, 'user-data', 'logs'), /ThanoRA\.log$/);
    assert.ok(logs.length > 0, 'the ThanoRA output channel has a log file');
    const log = logs.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.strictEqual((log.match(/running on CPU/g) ?? []).length, 1, `one device line per run:\n${log}`);
    assert.match(log, /device cpu from the setting thanora\.device/);
    assert.doesNotMatch(log, /npm ci/);
    // Each phase is logged as it begins, the data check first (before the run folder exists).
    const phases = ['checking the task data', 'preview passes', 'initialising the adapters', 'building the training graph', 'opening the ONNX Runtime sessions', 'evaluating before the first step', 'first training step'];
    const at = phases.map((p) => log.indexOf(`: ${p}`));
    assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])), `the log names the phases in order:\n${log}`);
    assert.match(log, /thanora\.json: checking the task data/);
  });

  it('a LoRA run next to the ThanoRA run: its allocation and angle charts say why they are empty', async () => {
    const file = path.join(workspace, 'thanora-demo', 'thanora.json');
    const runs = path.join(workspace, 'thanora-demo', 'runs');
    const before = new Set(fs.readdirSync(runs));
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...config, method: { name: 'lora' } }, null, 2) + '\n');
    await runCommand(page, 'ThanoRA: Start Training');
    const deadline = Date.now() + 300000;
    let runDir: string | undefined;
    while (!runDir && Date.now() < deadline) {
      runDir = fs.readdirSync(runs).filter((d) => !before.has(d)).map((d) => path.join(runs, d)).find((d) => fs.existsSync(path.join(d, 'status.json')));
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(runDir, 'no LoRA run folder appeared');
    await waitForFile(path.join(runDir, 'status.json'), 480000, (t) => JSON.parse(t).state !== 'running');
    // The dashboard selects the run just started.
    const frame = await dashboardFrame(page, 60000);
    await frame.locator('#progress-text', { hasText: 'finished' }).waitFor({ timeout: 60000 });
    assert.match((await frame.locator('#run-select').getAttribute('title')) ?? '', new RegExp(path.basename(runDir)));
    for (const id of ['allocation', 'allocationHeatmap', 'anglesSteps', 'anglesLayers']) {
      const section = frame.locator(`section[data-chart="${id}"]`);
      assert.ok(await section.evaluate((e) => e.classList.contains('is-empty')), `${id} is drawn for a LoRA run`);
      assert.match((await section.locator('.chart-empty').textContent()) ?? '', /LoRA has no task blocks/);
    }
    for (const id of ['loss', 'taskLoss', 'eval', 'throughput']) assert.ok(await frame.locator(`section[data-chart="${id}"]:not(.is-empty) canvas`).count(), `${id} is drawn for the LoRA run`);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-lora-run.png') });
    fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  });

  it('an invalid thanora.json is in the Problems panel with a fix, and its runs stay on the dashboard', async () => {
    const file = path.join(workspace, 'thanora-demo', 'thanora.json');
    const valid = fs.readFileSync(file, 'utf8');
    const config = JSON.parse(valid);
    fs.writeFileSync(file, JSON.stringify({ ...config, method: 'lora' }, null, 2) + '\n');
    const problems = await problemsText(page, /did you mean \{"name": "lora"\}/);
    assert.match(problems, /thanora\.json/);
    // Broken JSON: the runs the file's output folder holds are still listed.
    fs.writeFileSync(file, valid.slice(0, valid.length / 2));
    await problemsText(page, /invalid JSON/);
    const frame = await dashboardFrame(page, 60000);
    await page.waitForTimeout(2000);
    assert.strictEqual(await frame.locator('#empty-state').isVisible(), false, 'the runs did not vanish');
    assert.ok((await frame.locator('#run-select vscode-option').count()) >= 1);
    await page.screenshot({ path: path.join(artifacts, 'invalid-experiment.png') });
    fs.writeFileSync(file, valid);
    await frame.locator('#run-select vscode-option').first().waitFor({ state: 'attached', timeout: 30000 });
  });

  it('opens the wide dashboard in an editor tab with the runs table', async () => {
    await runCommand(page, 'ThanoRA: Open Dashboard in Editor');
    const deadline = Date.now() + 60000;
    let table: Frame | undefined;
    while (!table && Date.now() < deadline) {
      for (const frame of page.frames()) if (await frame.locator('.runs-table tbody tr').count().catch(() => 0)) table = frame;
      if (!table) await page.waitForTimeout(500);
    }
    assert.ok(table, 'the editor dashboard shows a runs table');
    const rows = await table.locator('.runs-table tbody tr').allTextContents();
    assert.strictEqual(rows.length, 2, `the ThanoRA and the LoRA run: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => /thanora.*finished.*40\/40/.test(r)) && rows.some((r) => /lora.*finished.*40\/40/.test(r)), rows.join(' | '));
    assert.ok((await table.locator('.runs-table thead th').allTextContents()).includes('method.name'), 'the config diff shows the method');
    await table.locator('#progress-text', { hasText: 'finished' }).waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(artifacts, 'editor-dashboard.png') });
    await runCommand(page, 'View: Close Editor');
  });

  it('the editor dashboard exports a chart as CSV through the save dialog, and deletes a run after asking', async () => {
    const runs = path.join(workspace, 'thanora-demo', 'runs');
    const [runId] = fs.readdirSync(runs).filter((d) => d.startsWith('thanora'));
    // A copy of the ThanoRA run to delete, so the runs the later tests use stay.
    const spare = path.join(runs, `spare-${runId}`);
    fs.cpSync(path.join(runs, runId), spare, { recursive: true });
    // Its own id, as the run folder module would have given it, so the table tells the two apart.
    for (const file of ['metrics.jsonl', 'status.json']) {
      const f = path.join(spare, file);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').split(runId).join(`spare-${runId}`));
    }
    await runCommand(page, 'ThanoRA: Open Dashboard in Editor');
    let table: Frame | undefined;
    const deadline = Date.now() + 60000;
    while (!table && Date.now() < deadline) {
      for (const frame of page.frames()) if ((await frame.locator('.runs-table tbody tr').count().catch(() => 0)) === 3) table = frame;
      if (!table) await page.waitForTimeout(500);
    }
    assert.ok(table, 'the spare run is listed');
    const rowOf = (id: string) => table!.locator('.runs-table tbody tr', { hasText: id });
    // Export CSV of the loss chart of the selected run: Save As opens in its folder with the suggested name.
    await rowOf(runId).first().click();
    await table.locator('#progress-text', { hasText: 'finished' }).waitFor({ timeout: 30000 });
    // The picker's tooltip ends with the selected run's folder.
    const selected = (await table.locator('#run-select').getAttribute('title'))!.split('\n').pop()!;
    assert.strictEqual(path.dirname(selected), runs);
    await table.locator('button.chart-export[data-chart="loss"][data-format="csv"]').click();
    const dialog = page.locator('.quick-input-widget input.input');
    await dialog.waitFor({ state: 'visible', timeout: 30000 });
    const suggested = `${path.basename(selected)}-loss.csv`;
    // The simple dialog (code-server has no native one) fills its path in after it opens.
    const filled = Date.now() + 15000;
    while (!(await dialog.inputValue()).endsWith(suggested) && Date.now() < filled) await page.waitForTimeout(200);
    assert.strictEqual(await dialog.inputValue(), path.join(selected, suggested), 'the save dialog opens in the run folder with the suggested name');
    await page.keyboard.press('Enter');
    const csv = await waitForFile(path.join(selected, suggested), 30000, (t) => t.endsWith('\n'));
    const [header, ...rows] = csv.trim().split('\n');
    assert.match(header, /^series,step,/);
    const perSeries = new Map<string, number>();
    for (const row of rows) perSeries.set(row.split(',')[0], (perSeries.get(row.split(',')[0]) ?? 0) + 1);
    assert.ok(perSeries.size >= 2 && [...perSeries.values()].every((n) => n === 40), `one row per step of the 40 for each series: ${JSON.stringify([...perSeries])}`);
    await page.locator('.notifications-toasts .notification-toast', { hasText: `saved ${path.join(selected, suggested)}` }).waitFor({ timeout: 30000 });
    // Delete asks first (modal); where the trash is not available it asks again before deleting for good.
    await rowOf(`spare-${runId}`).locator('button.run-delete').click();
    const ask = page.locator('.monaco-dialog-box', { hasText: `Delete the run spare-${runId}?` });
    await ask.waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(artifacts, 'delete-run-dialog.png') });
    await ask.locator('.monaco-button', { hasText: 'Move to Trash' }).click();
    const permanently = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete Permanently' });
    const gone = Date.now() + 30000;
    while (fs.existsSync(spare) && Date.now() < gone) {
      if (await permanently.isVisible().catch(() => false)) await permanently.click();
      await page.waitForTimeout(250);
    }
    assert.ok(!fs.existsSync(spare), 'the spare run folder is gone');
    await table.locator('.runs-table tbody tr', { hasText: `spare-${runId}` }).waitFor({ state: 'detached', timeout: 30000 });
    assert.strictEqual(await table.locator('.runs-table tbody tr').count(), 2);
    await runCommand(page, 'View: Close Editor');
  });

  it('a bad data line fails the run with Open and Show Log, and is in the Problems panel at its line', async () => {
    const data = path.join(workspace, 'thanora-demo', 'data', 'copy.train.jsonl');
    const good = fs.readFileSync(data, 'utf8');
    const lines = good.split('\n');
    fs.writeFileSync(data, [...lines.slice(0, 2), '{"prompt": "no closing brace"', ...lines.slice(3)].join('\n'));
    try {
      await runCommand(page, 'ThanoRA: Start Training');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'ThanoRA training failed' });
      await toast.waitFor({ timeout: 120000 });
      assert.match((await toast.textContent()) ?? '', /copy\.train\.jsonl:3/);
      for (const action of ['Open', 'Show Log']) assert.ok(await toast.locator('.monaco-button', { hasText: new RegExp(`^${action}$`) }).count(), `the failure toast has ${action}`);
      const problems = await problemsText(page, /copy\.train\.jsonl/);
      assert.match(problems, /task "copy"/);
      await page.screenshot({ path: path.join(artifacts, 'data-line-problem.png') });
      await toast.locator('.monaco-button', { hasText: /^Open$/ }).click();
      await page.locator('.tabs-container .tab', { hasText: 'copy.train.jsonl' }).first().waitFor({ timeout: 30000 });
      await runCommand(page, 'View: Close Editor');
    } finally {
      fs.writeFileSync(data, good);
    }
  });

  it('repaints the dashboard in a light, a high-contrast and a dark theme', async () => {
    // The sidebar dashboard is open; the focus stays in the workbench (a webview with the focus keeps F1 to itself).
    for (const [theme, kind] of [['Light Modern', 'vscode-light'], ['Dark High Contrast', 'vscode-high-contrast'], ['Dark Modern', 'vscode-dark']]) {
      // As a user picks one: Preferences: Color Theme, then the theme by its label.
      // Clicked, not Enter: the palette may rank "Browse Color Themes in Marketplace" first.
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input.input').fill('>Preferences: Color Theme');
      await page.locator('.quick-input-list .monaco-list-row[aria-label^="Preferences: Color Theme"]').first().click();
      // The palette closes and the theme picker opens in its place (it lists the themes): type into the picker,
      // and press Enter only once the theme's own row is the focused one.
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark High Contrast' }).first().waitFor({ timeout: 30000 });
      await page.keyboard.type(theme);
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme }).waitFor({ timeout: 30000 });
      await page.keyboard.press('Enter');
      const frame = await dashboardFrame(page, 60000);
      await frame.locator(`body.${kind}`).waitFor({ timeout: 30000 });
      await page.waitForTimeout(1000);
      // The loss chart's first line is drawn in the theme's --vscode-charts-blue.
      const blue = await frame.locator('body').evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(name: string): string } }).getComputedStyle(b).getPropertyValue('--vscode-charts-blue').trim());
      const rgb = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(blue);
      assert.ok(rgb, `${theme}: --vscode-charts-blue is ${blue}`);
      const shot = await frame.locator('#chart-loss').screenshot();
      fs.writeFileSync(path.join(artifacts, `loss-${kind}.png`), shot);
      const pixels = countPixelsNear(decodePng(shot), [parseInt(rgb[1], 16), parseInt(rgb[2], 16), parseInt(rgb[3], 16)], 30);
      assert.ok(pixels > 100, `${theme}: the loss line in ${blue} (${pixels} pixels)`);
      await page.screenshot({ path: path.join(artifacts, `dashboard-${kind}.png`) });
    }
  });

  it('merges the run from the explorer context menu', async () => {
    const runs = path.join(workspace, 'thanora-demo', 'runs');
    const runId = fs.readdirSync(runs)[0];
    await runCommand(page, 'View: Show Explorer');
    const tree = page.locator('.explorer-folders-view');
    for (const name of ['thanora-demo', 'runs']) {
      const row = tree.locator('.monaco-list-row', { hasText: name }).first();
      await row.waitFor();
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    await tree.locator('.monaco-list-row', { hasText: runId }).first().click({ button: 'right' });
    const mergeItem = page.locator('.context-view .action-label', { hasText: 'Merge Adapter into Base Model' });
    await mergeItem.hover();
    await mergeItem.click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Next to the run' }).click();
    const report = await waitForFile(path.join(runs, runId, 'merged', 'merge-report.json'), 300000);
    assert.strictEqual(JSON.parse(report).pass, true);
    assert.ok(fs.existsSync(path.join(runs, runId, 'merged', 'model.onnx')));
  });

  it('Restricted Mode: the runs are shown, training and merging are refused with the reason', async () => {
    const restricted = await startCodeServer(path.join(root, 'restricted'), vsix, { 'thanora.device': 'cpu', 'security.workspace.trust.startupPrompt': 'never' }, { trust: true });
    const untrusted = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await untrusted.goto(`${restricted.url}/?folder=${encodeURIComponent(workspace)}`);
      await untrusted.locator('.monaco-workbench').waitFor({ timeout: 120000 });
      const dontTrust = untrusted.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" });
      if (await dontTrust.isVisible().catch(() => false)) await dontTrust.click();
      await untrusted.locator('.activitybar [aria-label^="ThanoRA"]').first().waitFor({ timeout: 120000 });
      await runCommand(untrusted, 'ThanoRA: Open Dashboard');
      const frame = await dashboardFrame(untrusted, 60000);
      await frame.locator('#trust-notice').waitFor({ state: 'visible', timeout: 30000 });
      await frame.locator('#run-select vscode-option').first().waitFor({ state: 'attached', timeout: 30000 });
      assert.ok((await frame.locator('#run-select vscode-option').count()) >= 2, 'the runs are listed');
      for (const id of ['start-button', 'merge-button']) assert.ok(await frame.locator(`#${id}[disabled]`).count(), `${id} is disabled`);
      await runCommand(untrusted, 'ThanoRA: Start Training');
      await untrusted.locator('.notifications-toasts .notification-toast', { hasText: 'disabled in Restricted Mode' }).waitFor({ timeout: 30000 });
      await untrusted.screenshot({ path: path.join(artifacts, 'restricted-mode.png') });
    } finally {
      await untrusted.close();
      fs.writeFileSync(path.join(artifacts, 'code-server-restricted.log'), restricted.log());
      await restricted.stop();
    }
  });
});
