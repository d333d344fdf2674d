// A sweep's results table in the editor dashboard (headless Chromium, the same page and bundle as in VS Code):
// a real sweep folder (SweepFolder, sweep.json) holding synthetic finished and stopped runs whose last evals are
// set here, read through listRuns and listSweeps as the extension host does, sent in the `runs` message. The
// table must show, per configuration, its runs grouped (one per seed, clickable), and per task the mean ± std
// over the seeds and the paired difference to the baseline, with the numbers worked out by hand below.
// Screenshot: out/test-artifacts/browser/sweep-table.png.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { dashboardHtml } from '../../src/views/dashboard-html';
import { SweepFolder, listRuns, readRunEvents, readRunStatus } from '../../src/core/run-folder';
import { listSweeps } from '../../src/core/sweep/sweep-folder-results';
import { RUN_FILES, type RunSummary } from '../../src/protocol/run-events';
import type { SweepSummary } from '../../src/protocol/sweep-results';
import type { HostToWebviewMessage } from '../../src/protocol/webview-messages';
import { launchChromium } from '../support/chromium';
import { syntheticRunEvents, writeSyntheticRun } from '../support/synthetic-run';
import { serveStatic, type StaticServer } from './static-server';
import { fakeVsCodeApi, pageGlobals, pagePosted, sendToPage } from './stateless-webview';

const repo = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(repo, 'dist', 'webview', 'dashboard.js');
const artifacts = path.join(repo, 'out', 'test-artifacts', 'browser');
const themeStyle = `<style nonce="__NONCE__">body { --vscode-editor-background: #1e1e1e; --vscode-foreground: #cccccc; --vscode-font-family: sans-serif; }</style>`;
const send = (page: Page, message: HostToWebviewMessage) => sendToPage(page, message);

// Last-eval accuracy per task (copy, add) of each point; seed 3 of thanora is stopped halfway (no result).
const tasks = ['copy', 'add'];
const planned: { method: string; seed: number; accuracy?: [number, number] }[] = [
  { method: 'thanora', seed: 1, accuracy: [1.0, 0.2] },
  { method: 'thanora', seed: 2, accuracy: [0.9, 0.4] },
  { method: 'thanora', seed: 3 },
  { method: 'lora', seed: 1, accuracy: [0.8, 0.4] },
  { method: 'lora', seed: 2, accuracy: [0.9, 0.3] },
  { method: 'lora', seed: 3, accuracy: [0.7, 0.5] },
];

/** A finished run whose last eval has exactly `accuracy`, or a run stopped at step 10 of 20. */
function writeRun(sweepDir: string, runId: string, method: 'thanora' | 'lora', accuracy?: [number, number]): string {
  if (!accuracy) {
    const runDir = writeSyntheticRun(sweepDir, { runId, method, tasks, steps: 20, upToStep: 10, evalEvery: 10 });
    const status = JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.status), 'utf8'));
    fs.writeFileSync(path.join(runDir, RUN_FILES.status), JSON.stringify({ ...status, state: 'stopped', pid: undefined }));
    return runDir;
  }
  const runDir = writeSyntheticRun(sweepDir, { runId, method, tasks, steps: 20, evalEvery: 10 });
  const events = syntheticRunEvents({ runId, method, tasks, steps: 20, evalEvery: 10 }).map((e) =>
    e.type === 'eval' && e.step === 20 ? { ...e, tasks: e.tasks.map((t, k) => ({ ...t, accuracy: accuracy[k] })) } : e,
  );
  fs.writeFileSync(path.join(runDir, RUN_FILES.metrics), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return runDir;
}

describe('sweep results in the editor dashboard (headless Chromium)', function () {
  this.timeout(60000);
  let browser: Browser;
  let server: StaticServer;
  let root: string;
  let page: Page;
  let runs: RunSummary[];
  let sweeps: SweepSummary[];
  let sweepDir: string;

  before(async () => {
    assert.ok(fs.existsSync(bundle), `${bundle} is missing; run \`node scripts/build-extension.mjs --only=webview\` first`);
    fs.mkdirSync(artifacts, { recursive: true });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-sweep-browser-'));
    const output = path.join(root, 'runs');
    const config = (method: string, seed: number) => ({ tasks: tasks.map((name) => ({ name })), method: { name: method }, training: { seed } });
    const folder = SweepFolder.create(output, {
      experimentFile: path.join(root, 'thanora.json'),
      created: new Date().toISOString(),
      grid: { 'method.name': ['thanora', 'lora'], 'training.seed': [1, 2, 3] },
      baseline: { 'method.name': 'lora' },
      points: planned.map((p, index) => ({ index, label: `${p.method}-seed${p.seed}`, values: { 'method.name': p.method, 'training.seed': p.seed }, config: config(p.method, p.seed) })),
    });
    planned.forEach((p, index) => folder.recordRunDir(index, writeRun(folder.dir, `${p.method}-seed${p.seed}-20261203-120000`, p.method as 'thanora' | 'lora', p.accuracy)));
    folder.release();
    sweepDir = folder.dir;
    // A run of the same experiment outside the sweep: selecting it shows no sweep table.
    writeSyntheticRun(output, { runId: 'single-thanora', tasks, steps: 20, evalEvery: 10 });
    runs = listRuns([output]);
    sweeps = listSweeps(runs);
    const routes: Parameters<typeof serveStatic>[0] = { '/dashboard.js': { file: bundle }, '/dashboard.css': { file: path.join(repo, 'media', 'dashboard.css') } };
    server = await serveStatic(routes);
    const resources = { cspSource: server.origin, scriptUri: `${server.origin}/dashboard.js`, styleUri: `${server.origin}/dashboard.css` };
    routes['/editor'] = { text: dashboardHtml(resources, themeStyle + fakeVsCodeApi, 'editor') };
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
    await page.goto(`${server.origin}/editor`);
    await pagePosted(page);
    await send(page, { type: 'hostState', training: false, trusted: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const runDirOf = (runId: string) => runs.find((r) => r.runId === runId)!.runDir;

  it('the host finds the sweep of the listed runs and reads its results', () => {
    assert.deepStrictEqual(sweeps.map((s) => [s.sweepDir, s.results?.states]), [[sweepDir, { finished: 5, stopped: 1 }]]);
  });

  it("a run of the sweep shows the sweep's table: mean ± std over seeds, paired Δ to the baseline, runs grouped per configuration", async () => {
    const selected = runDirOf('thanora-seed2-20261203-120000');
    await send(page, { type: 'runs', runs, sweeps, select: selected });
    await send(page, { type: 'runData', runDir: selected, events: readRunEvents(selected), status: readRunStatus(selected) });
    assert.ok(await page.locator('#sweep-section').isVisible());
    assert.strictEqual(await page.locator('#sweep-section h3').textContent(), `Results of ${path.basename(sweepDir)}`);
    assert.match((await page.locator('.sweep-note').textContent()) ?? '', /^Runs: 5 finished, 1 stopped\. .*Δ: paired difference to the baseline \(method\.name = lora\)/);
    const head = await page.locator('.sweep-table thead th').allTextContents();
    assert.deepStrictEqual(head, ['method.name', 'runs', 'copy %', 'Δ copy', 'add %', 'Δ add', 'mean over tasks %', 'Δ mean over tasks']);
    const rows = await page.locator('.sweep-table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (c) => c.textContent)));
    // thanora (seeds 1, 2 finished): copy 100, 90 → 95.0 ± 7.1; add 20, 40 → 30.0 ± 14.1; mean 60, 65 → 62.5 ± 3.5.
    // lora (seeds 1–3): copy 80, 90, 70 → 80.0 ± 10.0; add 40, 30, 50 → 40.0 ± 10.0; mean 60, 60, 60 → 60.0 ± 0.0.
    // Δ over the seeds both finished (1, 2): copy +20, 0 → 10.0 ± 14.1; add −20, +10 → −5.0 ± 21.2; mean 0, +5 → 2.5 ± 3.5.
    assert.deepStrictEqual(rows, [
      ['thanora', 'seed 1: finishedseed 2: finishedseed 3: stopped', '95.0 ± 7.1', '10.0 ± 14.1 (2)', '30.0 ± 14.1', '−5.0 ± 21.2 (2)', '62.5 ± 3.5', '2.5 ± 3.5 (2)'],
      ['lora (baseline)', 'seed 1: finishedseed 2: finishedseed 3: finished', '80.0 ± 10.0', '', '40.0 ± 10.0', '', '60.0 ± 0.0', ''],
    ]);
    const selectedLink = page.locator('.sweep-run.selected');
    assert.deepStrictEqual([await selectedLink.count(), await selectedLink.textContent()], [1, 'seed 2: finished']);
    assert.match((await page.locator('.sweep-table tbody tr').first().locator('td').nth(2).getAttribute('title')) ?? '', /copy: accuracy 95\.00 ± 7\.07 %, eval loss .* \(2 runs\)/);
    fs.writeFileSync(path.join(artifacts, 'sweep-table.png'), await page.locator('#sweep-section').screenshot());
    await page.screenshot({ path: path.join(artifacts, 'sweep-editor-dashboard.png'), fullPage: true });
    // The runs table lists the sweep's runs (its folder is their experiment), not the run outside it.
    const listed = await page.locator('.runs-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { runDir: string } }).dataset.runDir));
    assert.deepStrictEqual(listed.sort(), planned.map((p) => runDirOf(`${p.method}-seed${p.seed}-20261203-120000`)).sort());
  });

  it('clicking a run in the sweep table selects it', async () => {
    await page.locator('.sweep-table tbody tr').nth(1).locator('button.sweep-run', { hasText: 'seed 3' }).click();
    const { posted, csp } = await pageGlobals(page);
    // The editor page also asks for the selected run's playground models; the selection is the last showRuns.
    assert.deepStrictEqual(posted.filter((m) => m.type === 'showRuns').at(-1), { type: 'showRuns', runDir: runDirOf('lora-seed3-20261203-120000'), compareWith: [] });
    assert.strictEqual(await page.locator('.sweep-run.selected').textContent(), 'seed 3: finished');
    assert.deepStrictEqual(csp, []);
  });

  it('a run outside any sweep shows no sweep table; an unreadable sweep says why', async () => {
    await send(page, { type: 'runs', runs, sweeps, select: runDirOf('single-thanora') });
    assert.strictEqual(await page.locator('#sweep-section').isVisible(), false);
    fs.writeFileSync(path.join(sweepDir, 'sweep.json'), '{ not json');
    const broken = listSweeps(runs);
    await send(page, { type: 'runs', runs, sweeps: broken, select: runDirOf('lora-seed1-20261203-120000') });
    assert.ok(await page.locator('#sweep-section').isVisible());
    assert.match((await page.locator('#sweep-section .error').textContent()) ?? '', /^cannot read the sweep .*sweep-\d{8}-\d{6}: /);
  });
});
