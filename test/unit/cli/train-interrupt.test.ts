// Ctrl-C on `thanora train`: the run stops after the current step, checkpoints, and says so in status.json.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeTinyExperiment } from '../../support/tiny-experiment';

const root = path.resolve(__dirname, '../../../..');

function experiment(dir: string): string {
  return writeTinyExperiment(dir, {
    lora: { targets: ['q_proj', 'v_proj'], r: 4, alpha: 8 },
    method: { name: 'lora' },
    training: { steps: 100000, batchSize: 2, lr: 0.001, warmupSteps: 0, checkpointEvery: 0 },
  });
}

describe('thanora train, interrupted', function () {
  this.timeout(120000);

  it('stops cleanly on SIGINT after the current step and checkpoints', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-sigint-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/thanora.js'), 'train', experiment(dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const runs = path.join(dir, 'runs');
    // Wait until the run has taken a few steps, then press Ctrl-C.
    for (let i = 0; i < 600; i++) {
      const run = fs.existsSync(runs) ? fs.readdirSync(runs)[0] : undefined;
      const metrics = run ? path.join(runs, run, 'metrics.jsonl') : '';
      if (metrics && fs.existsSync(metrics) && (fs.readFileSync(metrics, 'utf8').match(/"type":"step"/g) ?? []).length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.strictEqual(code, 0);
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.strictEqual(result.state, 'stopped');
    const status = JSON.parse(fs.readFileSync(path.join(result.runDir, 'status.json'), 'utf8'));
    assert.strictEqual(status.state, 'stopped');
    assert.ok(status.step >= 3);
    assert.ok(fs.existsSync(path.join(result.runDir, status.lastCheckpoint, 'adapter_model.safetensors')));
  });
});
