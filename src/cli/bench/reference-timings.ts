// The references `thanora bench --compare-torch` times in the same run: transformers + PEFT on torch 2.x
// (scripts/bench/peft-lora-step.py) and, for bench-llama, PyTorch 1.13 eager (../shared/tools/torch_lora_step.py,
// Debian's python3-torch). Each at 1 and 2 threads; the comparison uses the faster setting.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BenchPreset, repoRoot } from './bench-presets';

export interface ReferenceRun {
  threads: number;
  stepMs?: number;
  minMs?: number;
  setupS?: number;
  peakRssBytes?: number;
  torch?: string;
  error?: string;
}

export interface ReferenceTiming {
  name: string;
  runs: ReferenceRun[];
  /** The fastest run's median step time. */
  bestStepMs?: number;
  skipped?: string;
}

function runJsonScript(python: string, args: string[], threads: number): ReferenceRun {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const r = spawnSync(python, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) return { threads, error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop() };
  return { threads, ...JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

function best(name: string, runs: ReferenceRun[]): ReferenceTiming {
  const times = runs.flatMap((r) => (r.stepMs !== undefined ? [r.stepMs] : []));
  return { name, runs, bestStepMs: times.length ? Math.min(...times) : undefined };
}

export function peftReference(python: string, preset: BenchPreset, steps: number): ReferenceTiming {
  const script = path.join(repoRoot, 'scripts/bench/peft-lora-step.py');
  const runs = [1, 2].map((threads) =>
    runJsonScript(
      python,
      [script, preset.hfFolder, '--batch', String(preset.batch), '--seq', String(preset.seq), '--rank', String(preset.rank), '--threads', String(threads), '--steps', String(steps)],
      threads,
    ),
  );
  return best('transformers + PEFT', runs);
}

/** PyTorch 1.13 eager on the bench-llama architecture itself (shared/ beside the repository, Debian's torch). */
export function torch113Reference(steps: number): ReferenceTiming {
  const name = 'PyTorch 1.13 eager';
  const script = [path.join(repoRoot, '../shared/tools/torch_lora_step.py'), path.join(repoRoot, 'shared/tools/torch_lora_step.py')].find((f) => fs.existsSync(f));
  if (!script) return { name, runs: [], skipped: 'shared/tools/torch_lora_step.py is not beside the repository' };
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { name, runs: [], skipped: "Debian's python3-torch is not installed (apt-get install python3-torch)" };
  return best(name, [1, 2].map((threads) => runJsonScript('/usr/bin/python3', [script, '--threads', String(threads), '--steps', String(steps)], threads)));
}
