// End to end in a real VS Code (code-server): "ThanoRA: New Experiment from Hugging Face Model…" from the
// command palette, the model folder typed into VS Code's own folder picker, and the imported experiment in
// the workspace, opened in an editor.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { repo, runCommand, startCodeServer, type CodeServer } from './code-server';

const vsix = path.join(repo, 'thanora-studio-linux-x64.vsix');
const artifacts = path.join(repo, 'out', 'test-artifacts', 'e2e');

describe('ThanoRA: New Experiment from Hugging Face Model… in code-server', function () {
  this.timeout(600000);
  let root: string;
  let workspace: string;
  let modelDir: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    assert.ok(fs.existsSync(vsix), `${vsix} is missing; run \`npm run package\``);
    fs.mkdirSync(artifacts, { recursive: true });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-e2e-hf-'));
    workspace = path.join(root, 'workspace');
    fs.mkdirSync(workspace);
    // A Hugging Face folder outside the workspace, as a download would be.
    modelDir = path.join(root, 'models', 'tiny-qwen2');
    fs.cpSync(path.join(repo, 'test/fixtures/hf/hf-qwen2-ts/hf_base'), modelDir, { recursive: true });
    fs.copyFileSync(path.join(repo, 'test/fixtures/hf/train_assets/tokenizer.json'), path.join(modelDir, 'tokenizer.json'));
    server = await startCodeServer(root, vsix, { 'thanora.device': 'cpu', 'thanora.threads': 2 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120000 });
    await page.locator('.activitybar [aria-label^="ThanoRA"]').first().waitFor({ timeout: 120000 });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await page.screenshot({ path: path.join(artifacts, `hf-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    if (server) fs.writeFileSync(path.join(artifacts, 'code-server-hf.log'), server.log());
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('imports the picked folder into the workspace and opens its thanora.json', async () => {
    await runCommand(page, 'ThanoRA: New Experiment from Hugging Face Model…');
    // VS Code's own folder picker (the simple file dialog in code-server): type the path, then accept it.
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`${modelDir}/`);
    await page.waitForTimeout(1000);
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Import Model' }).first().click();
    const experiment = path.join(workspace, 'tiny-qwen2', 'thanora.json');
    const deadline = Date.now() + 120000;
    while (!fs.existsSync(experiment) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.ok(fs.existsSync(experiment), `${experiment} did not appear`);
    await page.locator('.tabs-container .tab', { hasText: 'thanora.json' }).first().waitFor({ timeout: 60000 });
    const config = JSON.parse(fs.readFileSync(experiment, 'utf8'));
    assert.deepStrictEqual([config.baseModel, config.tokenizer], ['model/model.onnx', 'model/tokenizer.json']);
    assert.ok(fs.existsSync(path.join(workspace, 'tiny-qwen2', 'model', 'model.onnx')));
    // Weights hard-linked from the picked folder, not copied.
    assert.strictEqual(fs.statSync(path.join(workspace, 'tiny-qwen2', 'model', 'model.safetensors')).ino, fs.statSync(path.join(modelDir, 'model.safetensors')).ino);
    await page.screenshot({ path: path.join(artifacts, 'hf-import.png') });
  });
});
