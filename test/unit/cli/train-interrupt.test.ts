// Ctrl-C on `thanora train`: the run stops after the current step, checkpoints, and says so in status.json.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../../../..');

function experiment(dir: string): string {
  const ids = (k: number) => Array.from({ length: 12 }, (_, i) => 5 + ((k + i) % 60));
  const lines = Array.from({ length: 16 }, (_, k) => JSON.stringify({ input_ids: ids(k) })).join('\n');
  fs.writeFileSync(path.join(dir, 'a.jsonl'), lines + '\n');
  fs.writeFileSync(path.join(dir, 'b.jsonl'), lines + '\n');
  const file = path.join(dir, 'thanora.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      baseModel: path.join(root, 'test/fixtures/tiny-llama/model.onnx'),
      tokenizer: 'bytes',
      tasks: [
        { name: 'a', train: 'a.jsonl', eval: 'a.jsonl' },
        { name: 'b', train: 'b.jsonl', eval: 'b.jsonl' },
      ],
      lora: { targets: ['q_proj', 'v_proj'], r: 4, alpha: 8 },
      method: { name: 'lora' },
      training: { steps: 100000, batchSize: 2, seqLength: 16, lr: 0.001, warmupSteps: 0, evalEvery: 0, checkpointEvery: 0 },
      device: 'cpu',
      threads: 1,
      output: 'runs',
    }),
  );
  return file;
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
