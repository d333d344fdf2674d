// A run folder as `thanora train` leaves it, built from tiny-llama with random adapters, for the merge tests:
// <run>/config.json, status.json, checkpoints/step-00000010/{adapter_model.safetensors, adapter_config.json
// (CheckpointMeta under "thanora"), init_adapter.safetensors (residual runs)}, data/<task>.jsonl eval files.
import * as fs from 'fs';
import * as path from 'path';
import { LoraPair, writePeftAdapter } from '../../../../src/core/io/peft-adapter';
import { SafeTensor, writeSafetensors } from '../../../../src/core/io/safetensors';
import { ResolvedModule } from '../../../../src/core/lora/linear-modules';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { CheckpointMeta } from '../../../../src/protocol/run-events';
import { fixtureDir } from './merge-test-helpers';

export const RANK = 4;
export const ALPHA = 8;
/** Task blocks [1, 2] and a cooperative block of 1: the init blocks have 3 of the 4 rows. */
export const TASK_RANKS = [1, 2];
export const COOPERATIVE_RANK = 1;

export interface SyntheticRun {
  runDir: string;
  checkpointDir: string;
  baseModelFile: string;
  modules: ResolvedModule[];
  trained: Map<string, LoraPair>;
  init?: Map<string, LoraPair>;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

function randomTensor(shape: number[], random: () => number, amplitude: number): SafeTensor {
  return { dtype: 'F32', shape, data: Float32Array.from({ length: shape[0] * shape[1] }, () => amplitude * random()) };
}

export function buildSyntheticRun(runDir: string, options: { residual: boolean; seed?: number }): SyntheticRun {
  const fixture = fixtureDir('tiny-llama');
  const baseModelFile = path.join(fixture, 'model.onnx');
  const moduleMap = JSON.parse(fs.readFileSync(path.join(fixture, 'adapter_config.json'), 'utf8')).module_map;
  const modules = resolveTargets(readModelFile(baseModelFile, { loadExternalData: false }), moduleMap);
  const random = seeded(options.seed ?? 11);
  const trained = new Map<string, LoraPair>();
  const init = new Map<string, LoraPair>();
  const r0 = TASK_RANKS.reduce((a, b) => a + b, 0);
  for (const m of modules) {
    trained.set(m.peftName, { A: randomTensor([RANK, m.dIn], random, 0.4), B: randomTensor([m.dOut, RANK], random, 0.4) });
    init.set(m.peftName, { A: randomTensor([r0, m.dIn], random, 0.4), B: randomTensor([m.dOut, r0], random, 0.4) });
  }
  const checkpointDir = path.join(runDir, 'checkpoints', 'step-00000010');
  const meta: CheckpointMeta = {
    method: options.residual ? 'thanora' : 'lora',
    tasks: ['alpha', 'beta'],
    blocks: Object.fromEntries(modules.map((m) => [m.peftName, { taskRanks: TASK_RANKS, cooperativeRank: COOPERATIVE_RANK }])),
    residual: options.residual,
    // Relative to the run folder, as a run started from a workspace would record it.
    baseModel: path.relative(runDir, baseModelFile),
    moduleMap,
    step: 10,
  };
  writePeftAdapter(checkpointDir, {
    config: { r: RANK, lora_alpha: ALPHA, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], task: 'causal_lm', thanora: meta },
    tensors: trained,
  });
  if (options.residual) {
    const flat = new Map<string, SafeTensor>();
    for (const [name, pair] of init) {
      flat.set(`base_model.model.${name}.lora_A.weight`, pair.A);
      flat.set(`base_model.model.${name}.lora_B.weight`, pair.B);
    }
    writeSafetensors(path.join(checkpointDir, 'init_adapter.safetensors'), flat, { format: 'pt' });
  }
  const rows = (offset: number) => Array.from({ length: 5 }, (_, i) => JSON.stringify({ input_ids: Array.from({ length: 6 + i }, (_, j) => (offset + 7 * i + 3 * j) % 96) }));
  fs.mkdirSync(path.join(runDir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'data', 'alpha.jsonl'), rows(1).join('\n') + '\n');
  fs.writeFileSync(path.join(runDir, 'data', 'beta.jsonl'), rows(40).join('\n') + '\n');
  const config = {
    tokenizer: { kind: 'bytes' },
    tasks: ['alpha', 'beta'].map((name) => ({ name, train: `data/${name}.jsonl`, eval: `data/${name}.jsonl`, format: 'pretokenized' })),
    training: { seqLength: 16 },
  };
  fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ state: 'finished', runId: 'r', step: 10, totalSteps: 10, lastCheckpoint: 'checkpoints/step-00000010', updated: '' }));
  return { runDir, checkpointDir, baseModelFile, modules, trained, init: options.residual ? init : undefined };
}
