// The benchmark workloads of `thanora bench --preset`, and the models they run on. bench-llama is a committed
// fixture; the real-size presets are built on first use by scripts/bench/make-bench-model.py (random weights with
// the shape of the named model, exported by torch) into .bench-models/ at the repository root.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const repoRoot = path.resolve(__dirname, '../../../..');
const benchModels = path.join(repoRoot, '.bench-models');
const llamaTargets = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

export interface BenchPreset {
  /** ONNX model for the engine. */
  model: string;
  /** Hugging Face folder for the transformers + PEFT reference (same shapes). */
  hfFolder: string;
  /** make-bench-model.py preset that builds what is missing. */
  builder: string;
  /** The committed model needs only its HF twin built. */
  hfOnly: boolean;
  targets: 'all-linear' | string[];
  rank: number;
  batch: number;
  seq: number;
  threads: number;
  vocab: number;
  /** The PyTorch 1.13 eager reference (../shared/tools/torch_lora_step.py) exists for this workload. */
  torch113: boolean;
}

export const benchPresets: Record<string, BenchPreset> = {
  'bench-llama': {
    model: path.join(repoRoot, 'test/fixtures/bench-llama/model.onnx'),
    hfFolder: path.join(benchModels, 'llama-bench/hf'),
    builder: 'llama-bench',
    hfOnly: true,
    targets: llamaTargets,
    rank: 16,
    batch: 8,
    seq: 128,
    threads: 2,
    vocab: 512,
    torch113: true,
  },
  'qwen2-0.5b': {
    model: path.join(benchModels, 'qwen2-0.5b/model.onnx'),
    hfFolder: path.join(benchModels, 'qwen2-0.5b/hf'),
    builder: 'qwen2-0.5b',
    hfOnly: false,
    targets: 'all-linear',
    rank: 16,
    batch: 2,
    seq: 128,
    threads: 2,
    vocab: 151936,
    torch113: false,
  },
  'qwen2-1.5b': {
    model: path.join(benchModels, 'qwen2-1.5b/model.onnx'),
    hfFolder: path.join(benchModels, 'qwen2-1.5b/hf'),
    builder: 'qwen2-1.5b',
    hfOnly: false,
    targets: 'all-linear',
    rank: 16,
    batch: 1,
    seq: 256,
    threads: 2,
    vocab: 151936,
    torch113: false,
  },
};

/** The project's Python (scripts/python-env.sh makes it offline from the machine's wheels), or why not. */
export function benchPython(log: (line: string) => void): string | { error: string } {
  const python = path.join(repoRoot, '.venv-py/bin/python');
  if (fs.existsSync(python)) return python;
  log('making the Python environment for the reference timings (scripts/python-env.sh, about a minute)');
  const r = spawnSync(path.join(repoRoot, 'scripts/python-env.sh'), [path.join(repoRoot, '.venv-py')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) return { error: `scripts/python-env.sh failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return python;
}

/** Builds the preset's missing model files; throws with the script's last words when it fails. */
export function ensureBenchModel(preset: BenchPreset, python: string, log: (line: string) => void): void {
  const missing = (preset.hfOnly ? [] : [preset.model]).concat(path.join(preset.hfFolder, 'config.json')).filter((f) => !fs.existsSync(f));
  if (!missing.length) return;
  const out = path.dirname(preset.hfFolder);
  log(`building the ${preset.builder} benchmark model into ${out} (once; real sizes take a few minutes)`);
  const args = [path.join(repoRoot, 'scripts/bench/make-bench-model.py'), out, '--preset', preset.builder, ...(preset.hfOnly ? ['--hf-only'] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`building the ${preset.builder} model failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
  }
}
