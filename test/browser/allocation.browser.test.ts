// The allocation panel page (same HTML, CSP and bundle as in VS Code) in headless Chromium, fed a real plan of
// the tiny experiment through a stand-in for the VS Code webview API. Checks: `ready` first; one heatmap per
// task and one for the shared block, whose cells hold exactly the plan's r_t / H_t / r_c, darker for more
// rank; the refresh button; a failure shown as such; no CSP violation.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { allocationHtml } from '../../src/views/allocation-html';
import { AllocationPlan, loadPlanSetup, planAllocation } from '../../src/core/plan/allocation-plan';
import type { HostToPlanPanelMessage } from '../../src/protocol/plan-messages';
import { launchChromium } from '../support/chromium';
import { writeTinyExperiment } from '../support/tiny-experiment';
import { serveStatic, type StaticServer } from './static-server';
import { fakeVsCodeApi, pageGlobals, sendToPage } from './stateless-webview';

const repo = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(repo, 'dist', 'webview', 'allocation.js');
const artifacts = path.join(repo, 'out', 'test-artifacts', 'browser');

const themeStyle = `<style nonce="__NONCE__">body { --vscode-editor-background: #1e1e1e; --vscode-foreground: #cccccc; --vscode-charts-blue: #3794ff; }</style>`;
const send = (page: Page, message: HostToPlanPanelMessage) => sendToPage(page, message);
const globals = pageGlobals;

describe('allocation panel in headless Chromium', function () {
  this.timeout(60000);
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  let plan: AllocationPlan;
  let dir: string;

  before(async () => {
    assert.ok(fs.existsSync(bundle), `${bundle} is missing; run \`node scripts/build-extension.mjs --only=allocation-webview\` first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-allocation-browser-'));
    plan = await planAllocation(loadPlanSetup(writeTinyExperiment(dir, { method: { temperature: 0.36 } })), { estimate: false, cache: false });
    const routes: Parameters<typeof serveStatic>[0] = { '/allocation.js': { file: bundle }, '/allocation.css': { file: path.join(repo, 'media', 'allocation.css') } };
    server = await serveStatic(routes);
    routes['/'] = { text: allocationHtml({ cspSource: server.origin, scriptUri: `${server.origin}/allocation.js`, styleUri: `${server.origin}/allocation.css` }, themeStyle + fakeVsCodeApi) };
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 1600 } });
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
    await page.goto(`${server.origin}/`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts ready, then draws one heatmap per task and the shared block with the plan\'s ranks and entropies', async () => {
    assert.deepStrictEqual((await pageGlobals(page)).posted, [{ type: 'ready' }]);
    await send(page, { type: 'plan', plan });
    // Page-side code as text: the root tsconfig has no DOM lib.
    const tables = (await page.evaluate(`[...document.querySelectorAll('table.heatmap')].map((t) => ({
      task: t.dataset.task,
      rows: [...t.rows].map((r) => [...r.cells].map((c) => c.textContent)),
    }))`)) as { task: string; rows: string[][] }[];
    assert.deepStrictEqual(tables.map((t) => t.task), [...plan.tasks, 'shared']);
    const kinds = [...new Set(plan.modules.map((m) => m.kind))];
    for (const [k, table] of tables.entries()) {
      const isTask = k < plan.tasks.length;
      assert.deepStrictEqual(table.rows[0], ['layer', ...kinds, ...(isTask ? ['mean'] : [])]);
      if (isTask) {
        for (const l of plan.layers) {
          const row = table.rows.find((r) => r[0] === String(l.layer))!;
          assert.strictEqual(row.at(-1), `${l.meanRanks[k].toFixed(2)}${l.meanEntropies[k].toFixed(3)}`, `${table.task} layer ${l.layer} mean`);
        }
      }
      for (const m of plan.modules) {
        const row = table.rows.find((r) => r[0] === String(m.layer))!;
        const cell = row[1 + kinds.indexOf(m.kind)];
        const expected = isTask ? `${m.ranks[k]}${m.entropies![k].toFixed(3)}` : String(m.cooperativeRank);
        assert.strictEqual(cell, expected, `${table.task} ${m.module}`);
      }
    }
    const text = await page.textContent('#totals');
    assert.match(text!, new RegExp(`Trainable parameters: ${plan.trainableParameters.toLocaleString('en-US')}`));
    assert.deepStrictEqual((await pageGlobals(page)).csp, []);
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, 'allocation.png'), await page.screenshot({ fullPage: true }));
  });

  it('colours a cell by its rank: more rank, more of the chart colour', async () => {
    // Alpha of the computed colour-mix over a transparent background grows with --level = rank / max rank.
    const cells = (await page.evaluate(`[...document.querySelectorAll('table.heatmap td.cell')].map((td) => ({
      rank: Number(td.querySelector('.rank').textContent),
      background: getComputedStyle(td).backgroundColor,
    }))`)) as { rank: number; background: string }[];
    const alpha = (css: string) => {
      const m = /\/\s*([\d.]+)\)$/.exec(css) ?? /rgba\([^)]*,\s*([\d.]+)\)$/.exec(css);
      return m ? Number(m[1]) : 1;
    };
    const byRank = new Map<number, number>();
    for (const c of cells) byRank.set(c.rank, alpha(c.background));
    const ranks = [...byRank.keys()].sort((a, b) => a - b);
    assert.ok(ranks.length >= 2, `one rank only: ${ranks}`);
    for (let i = 1; i < ranks.length; i++) assert.ok(byRank.get(ranks[i])! > byRank.get(ranks[i - 1])!, JSON.stringify([...byRank]));
  });

  it('asks the host to plan again, and shows a failure with the experiment named', async () => {
    await page.click('#refresh-button');
    assert.deepStrictEqual((await pageGlobals(page)).posted.at(-1), { type: 'refresh' });
    await send(page, { type: 'planFailed', experiment: '/x/thanora.json', error: '/lora/r: must be ≥ 1' });
    assert.strictEqual(await page.textContent('#plan-error'), 'Cannot preview /x/thanora.json: /lora/r: must be ≥ 1');
  });
});
