// The main job's wiring, as `npm run demo -- --compare lora` runs it, on a shortened copy of the shipped demo
// experiment (same model, data and method; fewer steps and eval examples so the suite stays quick).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../../../..');
const demo = path.join(root, 'examples/demo');

function shortDemo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-demo-'));
  fs.mkdirSync(path.join(dir, 'data'));
  for (const f of fs.readdirSync(path.join(demo, 'data'))) {
    const lines = fs.readFileSync(path.join(demo, 'data', f), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(dir, 'data', f), lines.slice(0, f.includes('.eval.') ? 12 : 200).join('\n') + '\n');
  }
  const config = JSON.parse(fs.readFileSync(path.join(demo, 'thanora.json'), 'utf8'));
  delete config.$schema;
  config.baseModel = path.join(demo, 'model.onnx');
  config.method.previewSamples = 16;
  config.training = { ...config.training, steps: 24, evalEvery: 12, warmupSteps: 4 };
  const file = path.join(dir, 'thanora.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

describe('thanora demo', function () {
  this.timeout(300000);

  it('trains ThanoRA and a baseline, prints accuracy before/after and the allocation, and merges', () => {
    const experiment = shortDemo();
    const r = spawnSync(process.execPath, [path.join(root, 'bin/thanora.js'), 'demo', '--experiment', experiment, '--compare', 'lora'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr.slice(-2000));
    assert.match(r.stdout, /task\s+base\s+thanora\s+lora/);
    for (const task of ['copy', 'reverse', 'sort', 'add', 'mean']) assert.match(r.stdout, new RegExp(`^${task}\\s+\\d+\\.\\d%\\s+\\d+\\.\\d%\\s+\\d+\\.\\d%`, 'm'));
    assert.match(r.stdout, /rank allocation \(HASI\)/);
    assert.match(r.stdout, /^shared\s+\d/m);
    const merged = /Merged ThanoRA model: (\S+) \(verification passed\)/.exec(r.stdout);
    assert.ok(merged, `no passing merge in:\n${r.stdout}`);
    assert.ok(fs.existsSync(merged[1]));
    const gen = spawnSync(process.execPath, [path.join(root, 'bin/thanora.js'), 'generate', '--model', merged[1], '--prompt', 'copy: stone\n', '--max-new-tokens', '8'], { encoding: 'utf8' });
    assert.strictEqual(gen.status, 0, gen.stderr);
    assert.ok(gen.stdout.length > 0);
  });
});
