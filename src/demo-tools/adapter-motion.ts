// How far training moved the adapted weights, per checkpoint (docs/study.md):
//   node out/src/demo-tools/adapter-motion.js <checkpoint-dir>...
// For each module, ΔW = s·B·A (trained) and ΔW₀ = s·B₀·A₀ (the init blocks subtracted from W; 0 for LoRA, whose
// B₀ = 0). Prints, over all modules in quadrature, ‖ΔW − ΔW₀‖_F (the change training made to the effective
// weight W′ + ΔW) and ‖ΔW₀‖_F (what the init moved from W into the trainable factors).
import { readCheckpointAdapter } from '../core/run-folder/checkpoints';
import { LoraPair } from '../core/io/peft-adapter';
import { Matrix, frobeniusNorm, fromValues, subtract, zeros } from '../core/linalg/matrix';
import { scaledDelta } from '../core/thanora/residual';

const matrixOf = (t: LoraPair['A'], where: string): Matrix => fromValues(t.shape[0], t.shape[1], t.data as ArrayLike<number>, where);

export function adapterMotion(checkpointDir: string): { moved: number; init: number; modules: number } {
  const { adapter, init } = readCheckpointAdapter(checkpointDir);
  const s = adapter.config.lora_alpha / adapter.config.r;
  let moved = 0;
  let initial = 0;
  for (const [name, pair] of adapter.tensors) {
    const delta = scaledDelta(matrixOf(pair.B, `${name} B`), matrixOf(pair.A, `${name} A`), s);
    const blocks = init?.get(name);
    const delta0 = blocks ? scaledDelta(matrixOf(blocks.B, `${name} B0`), matrixOf(blocks.A, `${name} A0`), s) : zeros(delta.rows, delta.cols);
    moved += frobeniusNorm(subtract(delta, delta0)) ** 2;
    initial += frobeniusNorm(delta0) ** 2;
  }
  return { moved: Math.sqrt(moved), init: Math.sqrt(initial), modules: adapter.tensors.size };
}

function main(): void {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) throw new Error('name one or more checkpoint folders (<run>/checkpoints/step-…)');
  console.log('checkpoint\tmodules\t‖ΔW − ΔW₀‖_F\t‖ΔW₀‖_F');
  for (const dir of dirs) {
    const m = adapterMotion(dir);
    console.log(`${dir}\t${m.modules}\t${m.moved.toFixed(4)}\t${m.init.toFixed(4)}`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(`adapter-motion: ${(e as Error).message}`);
    process.exit(1);
  }
}
