// The wide dashboard's playground in headless Chromium (same page, CSP and bundle as in VS Code), the host played
// by the test: the selected run's models are asked for and listed, Generate posts exactly the request the host
// validates (greedy, or sampled with T, top-p and seed), the answer fills the base and tuned columns side by side,
// an older answer never replaces a newer request, errors and Restricted Mode say why. Screenshots land in
// out/test-artifacts/browser/playground-*.png.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { parseWebviewMessage } from '../../src/views/parse-webview-message';
import { listRuns } from '../../src/core/run-folder';
import type { PlaygroundResult } from '../../src/protocol/playground';
import type { HostToWebviewMessage, RunSummary } from '../../src/protocol/webview-messages';
import { launchChromium } from '../support/chromium';
import { writeSyntheticRun } from '../support/synthetic-run';
import { dashboardBundle as bundle, repo, serveDashboard } from './dashboard-server';
import type { StaticServer } from './static-server';
import { fakeVsCodeApi, pageGlobals, pagePosted, sendToPage } from './stateless-webview';

const artifacts = path.join(repo, 'out', 'test-artifacts', 'browser');

const themeStyle = `<style nonce="__NONCE__">body { --vscode-editor-background: #1e1e1e; --vscode-foreground: #cccccc; --vscode-font-family: sans-serif; background: #1e1e1e; color: #cccccc;
  --vscode-input-background: #3c3c3c; --vscode-input-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f14c4c; }</style>`;
const send = (page: Page, message: HostToWebviewMessage) => sendToPage(page, message);
const posted = async (page: Page) => (await pageGlobals(page)).posted;
const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();

function answer(runDir: string, tunedLabel: string): PlaygroundResult {
  const completion = (label: string, text: string, ms: number) => ({ label, path: `${runDir}/x`, text, ids: [...text].map((c) => c.charCodeAt(0) + 3).concat(2), stoppedAtEos: true, ms });
  return { runDir, promptText: 'reverse: stone\n', promptTokens: 16, chatTemplate: false, base: completion('base model', 'stonest', 12), tuned: completion(tunedLabel, 'enots', 22) };
}

describe('playground in headless Chromium', function () {
  this.timeout(60000);
  let browser: Browser;
  let server: StaticServer;
  let runsRoot: string;
  let page: Page;
  let runs: RunSummary[];

  before(async () => {
    assert.ok(fs.existsSync(bundle), `${bundle} is missing; run \`node scripts/build-extension.mjs --only=webview\` first`);
    fs.mkdirSync(artifacts, { recursive: true });
    runsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-playground-'));
    writeSyntheticRun(path.join(runsRoot, 'demo'), { runId: 'thanora-20261203-124856', steps: 60, tasks: ['copy', 'reverse', 'sort', 'add'] });
    writeSyntheticRun(path.join(runsRoot, 'demo'), { runId: 'lora-20261203-130000', method: 'lora', steps: 60 });
    runs = listRuns([runsRoot]);
    server = await serveDashboard(themeStyle + fakeVsCodeApi);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(runsRoot, { recursive: true, force: true });
  });

  async function open(trusted = true): Promise<RunSummary> {
    await page.goto(`${server.origin}/editor`);
    await pagePosted(page);
    const selected = runs.find((r) => r.runId.startsWith('thanora'))!;
    await send(page, { type: 'hostState', training: false, trusted });
    await send(page, { type: 'runs', runs, select: selected.runDir });
    return selected;
  }
  const known = () => new Set(runs.map((r) => r.runDir));

  it('asks for the selected run\'s models, lists them, and sends a greedy request the host accepts', async () => {
    const run = await open();
    assert.ok(await page.locator('#playground').isVisible());
    assert.deepStrictEqual((await posted(page)).filter((m) => m.type === 'listPlaygroundModels'), [{ type: 'listPlaygroundModels', runDir: run.runDir }]);
    await send(page, { type: 'playgroundModels', runDir: run.runDir, models: [{ choice: 'merged', label: 'merged model (step 60)' }, { choice: 'step-60', label: 'checkpoint step 60' }, { choice: 'step-20', label: 'checkpoint step 20' }] });
    assert.deepStrictEqual(await page.locator('#pg-model option').allTextContents(), ['merged model (step 60)', 'checkpoint step 60', 'checkpoint step 20']);
    assert.ok(!(await page.locator('#pg-sampling').isVisible()), 'sampling settings only for sampled decoding');
    await page.locator('#pg-model').selectOption('step-20');
    await page.locator('#pg-prompt').fill('reverse: stone\n');
    await page.locator('#pg-generate').click();
    const request = (await posted(page)).at(-1)!;
    assert.deepStrictEqual(request, { type: 'generate', requestId: 1, request: { runDir: run.runDir, tuned: 'step-20', prompt: 'reverse: stone\n', useChatTemplate: true, decoding: { kind: 'greedy' }, maxNewTokens: 64 } });
    assert.deepStrictEqual(parseWebviewMessage(request, known()), request, 'the host accepts what the page sends');
    assert.strictEqual(await text(page, '#pg-status'), 'Generating…');

    await send(page, { type: 'generated', requestId: 1, result: answer(run.runDir, 'checkpoint step 20') });
    assert.strictEqual(await text(page, '#pg-base .pg-text'), 'stonest');
    assert.strictEqual(await text(page, '#pg-tuned .pg-text'), 'enots');
    assert.strictEqual(await text(page, '#pg-tuned h4'), 'Tuned: checkpoint step 20');
    assert.strictEqual(await text(page, '#pg-base .pg-meta'), '8 tokens · ended by the model (EOS) · 12 ms');
    assert.strictEqual(await text(page, '#pg-status'), 'prompt: 16 tokens (the tokenizer has no chat template)');
    // Side by side: the two columns share a row in the wide dashboard.
    const [base, tuned] = await Promise.all(['#pg-base', '#pg-tuned'].map((s) => page.locator(s).boundingBox()));
    assert.ok(base && tuned && Math.abs(base.y - tuned.y) < 1 && tuned.x > base.x + base.width - 1, `columns at ${JSON.stringify([base, tuned])}`);
    await page.locator('#playground').screenshot({ path: path.join(artifacts, 'playground-greedy.png') });
    assert.deepStrictEqual((await pageGlobals(page)).csp, []);
  });

  it('sampled: posts T, top-p and seed; an older answer never replaces a newer request; errors say why', async () => {
    const run = await open();
    await send(page, { type: 'playgroundModels', runDir: run.runDir, models: [{ choice: 'best', label: 'best checkpoint: step 60 (mean-accuracy 0.770)' }] });
    await page.locator('#pg-sampled').check();
    assert.ok(await page.locator('#pg-sampling').isVisible());
    await page.locator('#pg-temperature').fill('0.7');
    await page.locator('#pg-top-p').fill('0.9');
    await page.locator('#pg-seed').fill('42');
    await page.locator('#pg-max-tokens').fill('16');
    await page.locator('#pg-chat').uncheck();
    await page.locator('#pg-prompt').fill('add: 47+85\n');
    await page.locator('#pg-prompt').press('Control+Enter');
    await page.locator('#pg-generate').click();
    const requests = (await posted(page)).filter((m) => m.type === 'generate');
    assert.strictEqual(requests.length, 2);
    const expected = { runDir: run.runDir, tuned: 'best', prompt: 'add: 47+85\n', useChatTemplate: false, decoding: { kind: 'sample', temperature: 0.7, topP: 0.9, seed: 42 }, maxNewTokens: 16 };
    assert.deepStrictEqual(requests[1], { type: 'generate', requestId: 2, request: expected });
    assert.deepStrictEqual(parseWebviewMessage(requests[1], known()), requests[1]);

    await send(page, { type: 'generated', requestId: 1, result: answer(run.runDir, 'stale') });
    assert.strictEqual(await text(page, '#pg-tuned .pg-text'), '', 'the answer to the cancelled request is dropped');
    await send(page, { type: 'generated', requestId: 2, error: 'run … has no checkpoint checkpoints/step-00000060' });
    assert.match(await text(page, '#pg-error'), /has no checkpoint/);

    await page.locator('#pg-top-p').fill('0');
    await page.locator('#pg-generate').click();
    assert.strictEqual(await text(page, '#pg-error'), 'top-p must be above 0 and at most 1.');
    assert.strictEqual((await posted(page)).filter((m) => m.type === 'generate').length, 2, 'nothing is sent the host would refuse');
    await page.locator('#playground').screenshot({ path: path.join(artifacts, 'playground-sampled-error.png') });
  });

  it('says why it cannot run: no checkpoint yet, Restricted Mode; the sidebar has no playground', async () => {
    let run = await open();
    await send(page, { type: 'playgroundModels', runDir: run.runDir, models: [] });
    assert.match(await text(page, '#pg-note'), /no checkpoint yet/);
    assert.ok(await page.locator('#pg-generate').evaluate((e) => e.hasAttribute('disabled')), 'Generate is disabled');
    run = await open(false);
    await send(page, { type: 'playgroundModels', runDir: run.runDir, models: [{ choice: 'step-60', label: 'checkpoint step 60' }] });
    assert.match(await text(page, '#pg-note'), /not trusted.*Trust the workspace/);
    assert.ok(await page.locator('#pg-generate').evaluate((e) => e.hasAttribute('disabled')), 'Generate is disabled');
    await page.locator('#playground').screenshot({ path: path.join(artifacts, 'playground-restricted.png') });
    await page.goto(`${server.origin}/`);
    assert.strictEqual(await page.locator('#playground').count(), 0);
  });
});
