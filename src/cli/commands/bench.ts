// `thanora bench`: the training-step benchmark, optionally side by side with the PyTorch eager reference
// (shared/tools/torch_lora_step.py) in the same run, reported as ratios.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { benchLoraStep } from '../../core/bench/lora-step-bench';
import { resolveTargets } from '../../core/lora/resolve-targets';
import { readModelFile } from '../../core/onnx/model-file';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { deviceOption, intOption, parseOptions, targetsOption, threadsOption } from '../parse-options';

const repoRoot = path.resolve(__dirname, '../../../..');
const llamaTargets = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const presets: Record<string, { model: string; targets: string[]; rank: number; batch: number; seq: number; threads: number; vocab: number }> = {
  'bench-llama': { model: path.join(repoRoot, 'test/fixtures/bench-llama/model.onnx'), targets: llamaTargets, rank: 16, batch: 8, seq: 128, threads: 2, vocab: 512 },
};

/** The PyTorch reference script: shared/ beside the repository (CI and developer machines), if present. */
function torchScript(): string | undefined {
  for (const dir of [path.join(repoRoot, '../shared/tools'), path.join(repoRoot, 'shared/tools')]) {
    const file = path.join(dir, 'torch_lora_step.py');
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function runTorch(script: string, threads: number, steps: number): { stepMs: number } | { error: string } {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--steps', String(steps)], { env, encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export const benchCommand: CliCommand = {
  summary: 'time one LoRA training step (forward, backward, AdamW) and report GFLOP/s and memory',
  usage:
    'thanora bench (--preset bench-llama | --model M.onnx --targets q_proj,v_proj --rank 16 --vocab V) [--batch 8] [--seq 128] [--steps 20] [--threads 2] [--device auto|cuda|cpu] [--compare-torch]',
  async run(args) {
    const { values } = parseOptions(args, {
      preset: { type: 'string' },
      model: { type: 'string' },
      targets: { type: 'string' },
      rank: { type: 'string' },
      vocab: { type: 'string' },
      batch: { type: 'string' },
      seq: { type: 'string' },
      steps: { type: 'string' },
      threads: { type: 'string' },
      device: { type: 'string' },
      'compare-torch': { type: 'boolean' },
    });
    const preset = values.preset ? presets[values.preset as string] : undefined;
    if (values.preset && !preset) throw new UsageError(`unknown preset '${values.preset}'; known: ${Object.keys(presets).join(', ')}`);
    const modelFile = (values.model as string | undefined) ?? preset?.model;
    if (!modelFile) throw new UsageError('give --preset or --model');
    const targets = targetsOption(values.targets as string | undefined) ?? preset?.targets ?? 'all-linear';
    const rank = intOption(values, 'rank', preset?.rank ?? 16);
    const threads = threadsOption(values, preset?.threads ?? 2);
    const steps = intOption(values, 'steps', 20);
    const model = readModelFile(modelFile);
    const result = await benchLoraStep(model, {
      modules: resolveTargets(model, targets),
      rank,
      alpha: 2 * rank,
      batchSize: intOption(values, 'batch', preset?.batch ?? 8),
      seqLength: intOption(values, 'seq', preset?.seq ?? 128),
      steps,
      threads,
      device: deviceOption(values),
      vocabSize: intOption(values, 'vocab', preset?.vocab ?? 2),
      onNotice: (m) => console.error(m),
    });
    const report: Record<string, unknown> = { ...result };
    if (values['compare-torch']) {
      const script = torchScript();
      if (!script || values.preset !== 'bench-llama') {
        report.torch = { skipped: script ? 'the PyTorch reference exists for --preset bench-llama only' : 'shared/tools/torch_lora_step.py not found' };
      } else {
        const torch = [1, 2].map((t) => ({ threads: t, ...runTorch(script, t, steps) }));
        const times = torch.flatMap((t) => ('stepMs' in t ? [t.stepMs] : []));
        report.torch = torch;
        if (times.length) report.speedupVsTorchBest = Math.min(...times) / result.stepMs;
      }
    }
    console.log(JSON.stringify(report, null, 2));
  },
};
