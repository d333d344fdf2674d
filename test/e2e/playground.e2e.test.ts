// The playground end to end in a real VS Code (code-server): a demo run trained and merged with the CLI sits in
// the workspace; "ThanoRA: Open Dashboard in Editor" lists its merged model and checkpoints, Generate completes
// the prompt in the worker with the merged model and the base side by side, a sampled request replays with its
// seed, and the dashboard shows what `thanora generate --json` prints for the same request.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Frame, Page } from 'playwright-core';
import type { PlaygroundResult } from '../../src/protocol/playground';
import { launchChromium } from '../support/chromium';
import { repo, runCommand, startCodeServer, type CodeServer } from './code-server';

const vsix = path.join(repo, 'thanora-studio-linux-x64.vsix');
const artifacts = path.join(repo, 'out', 'test-artifacts', 'e2e');
const cli = (...args: string[]) => execFileSync(process.execPath, [path.join(repo, 'bin', 'thanora.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function playgroundFrame(page: Page, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.locator('#playground').count().catch(() => 0)) return frame;
    }
    await page.waitForTimeout(500);
  }
  throw new Error('the editor dashboard with the playground did not appear');
}

describe('the playground in code-server', function () {
  this.timeout(600000);
  let root: string;
  let runDir: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let frame: Frame;

  before(async () => {
    assert.ok(fs.existsSync(vsix), `${vsix} is missing; run \`npm run package\``);
    fs.mkdirSync(artifacts, { recursive: true });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-e2e-playground-'));
    const workspace = path.join(root, 'workspace');
    const demo = path.join(workspace, 'demo');
    fs.cpSync(path.join(repo, 'examples', 'demo'), demo, { recursive: true, filter: (f) => !f.includes(`${path.sep}runs`) });
    const file = path.join(demo, 'thanora.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete config.$schema;
    config.training = { ...config.training, steps: 40, evalEvery: 20, checkpointEvery: 20, warmupSteps: 5 };
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    cli('train', file);
    runDir = path.join(demo, 'runs', 'demo', fs.readdirSync(path.join(demo, 'runs', 'demo'))[0]);
    cli('merge', runDir);
    server = await startCodeServer(root, vsix, { 'thanora.device': 'cpu', 'thanora.threads': 2 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120000 });
    await page.locator('.activitybar [aria-label^="ThanoRA"]').first().waitFor({ timeout: 120000 });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await page.screenshot({ path: path.join(artifacts, `playground-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    if (server) fs.writeFileSync(path.join(artifacts, 'code-server-playground.log'), server.log());
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function generate(): Promise<{ base: string; tuned: string; title: string }> {
    await frame.locator('#pg-generate').click();
    await frame.locator('#pg-tuned .pg-meta', { hasText: 'tokens' }).waitFor({ timeout: 120000 });
    const read = async (selector: string) => (await frame.locator(selector).textContent()) ?? '';
    return { base: await read('#pg-base .pg-text'), tuned: await read('#pg-tuned .pg-text'), title: await read('#pg-tuned h4') };
  }

  it('lists the run\'s merged model and checkpoints', async () => {
    await runCommand(page, 'ThanoRA: Open Dashboard in Editor');
    frame = await playgroundFrame(page, 60000);
    await frame.locator('#pg-model option', { hasText: 'merged model' }).waitFor({ state: 'attached', timeout: 60000 });
    const options = await frame.locator('#pg-model option').allTextContents();
    assert.match(options[0], /^merged model \(best by mean-accuracy/);
    assert.ok(options.includes('checkpoint step 40') && options.includes('checkpoint step 20'), options.join(' | '));
  });

  it('completes a prompt with the merged model beside the base, as `thanora generate` does', async () => {
    await frame.locator('#pg-prompt').fill('reverse: stone\n');
    const shown = await generate();
    assert.match(shown.title, /^Tuned: merged model/);
    const printed = JSON.parse(cli('generate', runDir, '--prompt', 'reverse: stone\n', '--checkpoint', 'merged', '--json', '--device', 'cpu')) as PlaygroundResult;
    assert.strictEqual(shown.base, printed.base.text);
    assert.strictEqual(shown.tuned, printed.tuned.text);
    await page.screenshot({ path: path.join(artifacts, 'playground-greedy.png') });
  });

  it('a sampled request on a checkpoint replays with its seed', async () => {
    await frame.locator('#pg-model').selectOption('step-20');
    await frame.locator('#pg-sampled').check();
    await frame.locator('#pg-temperature').fill('1.2');
    await frame.locator('#pg-seed').fill('7');
    await frame.locator('#pg-prompt').fill('sort: 83915\n');
    const first = await generate();
    assert.strictEqual(first.title, 'Tuned: checkpoint step 20');
    const printed = JSON.parse(cli('generate', runDir, '--prompt', 'sort: 83915\n', '--checkpoint', '20', '--sample', '--temperature', '1.2', '--top-p', '0.95', '--seed', '7', '--json', '--device', 'cpu')) as PlaygroundResult;
    assert.deepStrictEqual([first.base, first.tuned], [printed.base.text, printed.tuned.text]);
    await page.screenshot({ path: path.join(artifacts, 'playground-sampled.png') });
  });
});
