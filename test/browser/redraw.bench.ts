// Benchmark (not a test): the dashboard's redraw time with long runs, in headless Chromium with the real bundle.
// One run of N steps and 4 tasks (per-task loss, loss, L_SPR, throughput: 7 step series of N points), then
// live appends of 10 steps at a time, as the host's 1 s tail delivers them. Each message is dispatched
// synchronously, and Chart.js draws synchronously without animation, so the time measured is the whole redraw.
//   node out/test/browser/redraw.bench.js [steps=100000] [appends=20] [smoothing=0.6] [bundle=dist/webview/dashboard.js]
// (another bundle, e.g. main's, measured in turn on the same machine, gives a ratio that survives its load).
// Target (issue 13): ≤ 16 ms per live redraw at 100,000 points per series.
import * as path from 'path';
import { dashboardHtml } from '../../src/views/dashboard-html';
import { launchChromium } from '../support/chromium';
import { serveStatic } from './static-server';

const repo = path.resolve(__dirname, '..', '..', '..');
const steps = Number(process.argv[2] ?? 100000);
const appends = Number(process.argv[3] ?? 20);
const smoothing = Number(process.argv[4] ?? 0.6);
const bundle = path.resolve(process.argv[5] ?? path.join(repo, 'dist', 'webview', 'dashboard.js'));

const fakeVsCodeApi = `<script nonce="__NONCE__">window.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => ({ compareWith: [], smoothing: ${smoothing}, logScale: false }), setState() {} });</script>`;

async function main(): Promise<void> {
  const routes: Parameters<typeof serveStatic>[0] = { '/dashboard.js': { file: bundle }, '/dashboard.css': { file: path.join(repo, 'media', 'dashboard.css') } };
  const server = await serveStatic(routes);
  routes['/'] = { text: dashboardHtml({ cspSource: server.origin, scriptUri: `${server.origin}/dashboard.js`, styleUri: `${server.origin}/dashboard.css` }, fakeVsCodeApi) };
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 420, height: 2200 } });
    await page.goto(`${server.origin}/`);
    const result = await page.evaluate(
      ({ steps, appends }) => {
        const tasks = ['copy', 'reverse', 'sort', 'add'];
        const runDir = '/bench/run';
        const step = (k: number) => {
          const perTaskLoss = tasks.map((_, t) => 2 * Math.exp(-k / 5000) + 0.3 + 0.1 * t + 0.2 * Math.sin(k * 12.9898 + t));
          const taskLoss = perTaskLoss.reduce((a, b) => a + b, 0) / 4;
          return { type: 'step', step: k, time: '', loss: taskLoss + 0.01, taskLoss, perTaskLoss, sprLoss: 0.1 * Math.exp(-k / 1000), lr: 1e-3, gradNorm: 1, tokensPerSecond: 900 + 100 * Math.sin(k), stepMs: 100 };
        };
        const dispatch = (data: unknown) => {
          const t0 = performance.now();
          (globalThis as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new MessageEvent('message', { data }));
          return performance.now() - t0;
        };
        const summary = { runDir, runId: 'bench', experimentDir: '/bench', label: 'thanora', method: 'thanora', state: 'running', step: steps, totalSteps: steps + appends * 10, results: { settings: {}, accuracy: [] } };
        dispatch({ type: 'runs', runs: [summary], select: runDir });
        const start = { type: 'start', time: '', runId: 'bench', method: 'thanora', label: 'thanora', tasks, modules: [], layers: [], totalSteps: steps + appends * 10, rank: 8, provider: 'cpu', fromStep: 0 };
        const events = [start, ...Array.from({ length: steps }, (_, i) => step(i + 1))];
        const first = dispatch({ type: 'runData', runDir, events, status: null });
        const live: number[] = [];
        for (let a = 0; a < appends; a++) live.push(dispatch({ type: 'runEvents', runDir, events: Array.from({ length: 10 }, (_, i) => step(steps + a * 10 + i + 1)) }));
        live.sort((x, y) => x - y);
        return { first, median: live[Math.floor(live.length / 2)], max: live[live.length - 1] };
      },
      { steps, appends },
    );
    console.log(`dashboard redraw, ${steps} steps × 7 step series, smoothing ${smoothing}: first draw ${result.first.toFixed(1)} ms; live append (10 steps) median ${result.median.toFixed(1)} ms, max ${result.max.toFixed(1)} ms over ${appends}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
