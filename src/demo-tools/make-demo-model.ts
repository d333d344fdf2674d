// Re-creates the demo base model: builds the byte-level LLaMA of DEMO_MODEL_CONFIG from a seed, generates the
// corpus, pretrains every weight with the project's own autodiff and writes examples/demo/model.onnx with a
// model card (config, recipe, held-out loss, wall time) beside it.
//   node out/src/demo-tools/make-demo-model.js --seed 1 [--steps 3000] [--threads 2] [--out examples/demo]
//   node out/src/demo-tools/make-demo-model.js --measure 10     (time 10 steps, write nothing)
import * as path from 'path';
import { parseArgs } from 'util';
import { writeJsonAtomic } from '../core/io/atomic-write';
import { buildLlamaModel } from '../core/modelgen/build-llama';
import { countParameters, resolveLlamaConfig } from '../core/modelgen/llama-config';
import { writeModelFile } from '../core/onnx/model-file';
import { packTokenStream } from '../core/pretrain/packed-batches';
import { PretrainProgress, pretrain } from '../core/pretrain/pretrain';
import { DEMO_MODEL_CONFIG, DEMO_PRETRAIN_RECIPE, corpusTokenRecords } from '../core/demo/demo-model-recipe';

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

function formatProgress(e: PretrainProgress, steps: number): string | undefined {
  const t = `${(e.elapsedMs / 1000).toFixed(0)}s`;
  if (e.kind === 'eval') return `[${t}] step ${e.step}/${steps}  held-out loss ${e.heldOutLoss.toFixed(4)}`;
  if (e.step % 25 !== 0 && e.step !== 1) return undefined;
  return `[${t}] step ${e.step}/${steps}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  |g| ${e.gradNorm.toFixed(3)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      steps: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      measure: { type: 'string' },
    },
    strict: true,
  });
  const measure = positiveInt(values.measure, 'measure', 0);
  const recipe = {
    ...DEMO_PRETRAIN_RECIPE,
    seed: positiveInt(values.seed, 'seed', DEMO_PRETRAIN_RECIPE.seed),
    steps: measure || positiveInt(values.steps, 'steps', DEMO_PRETRAIN_RECIPE.steps),
  };
  const threads = positiveInt(values.threads, 'threads', 2);
  const outDir = path.resolve(values.out ?? 'examples/demo');
  const config = resolveLlamaConfig(DEMO_MODEL_CONFIG);
  console.log(`demo model: ${countParameters(config).toLocaleString('en')} parameters, d=${config.hiddenSize}, ${config.numLayers} layers, ${config.numHeads} heads, SwiGLU ${config.intermediateSize}`);

  const started = Date.now();
  const stream = packTokenStream(corpusTokenRecords(recipe.seed, recipe.corpusRecords));
  console.log(`corpus: ${recipe.corpusRecords.toLocaleString('en')} records, ${stream.length.toLocaleString('en')} tokens (${Date.now() - started} ms)`);
  const result = await pretrain({
    model: buildLlamaModel(config, { seed: recipe.seed }),
    stream,
    seqLength: recipe.seqLength,
    batchSize: recipe.batchSize,
    steps: recipe.steps,
    peakLr: recipe.peakLr,
    warmupSteps: Math.min(recipe.warmupSteps, recipe.steps),
    weightDecay: recipe.weightDecay,
    gradClip: recipe.gradClip,
    heldOutRows: recipe.heldOutRows,
    evalEvery: measure ? 0 : 250,
    seed: recipe.seed,
    threads,
    onProgress: (e) => {
      const line = formatProgress(e, recipe.steps);
      if (line) console.log(line);
    },
  });
  const seconds = result.elapsedMs / 1000;
  console.log(`pretrained in ${seconds.toFixed(0)} s (${(result.trainTokens / seconds).toFixed(0)} tokens/s); held-out loss ${result.initialHeldOutLoss.toFixed(4)} → ${result.heldOutLoss.toFixed(4)} nats/token`);
  if (measure) return;

  const modelFile = path.join(outDir, 'model.onnx');
  writeModelFile(modelFile, result.model, { externalData: 'never' });
  writeJsonAtomic(path.join(outDir, 'model-card.json'), {
    description: 'Byte-level LLaMA-style decoder pretrained by src/demo-tools/make-demo-model.ts on the generated corpus of src/core/demo/corpus.ts',
    config,
    parameters: countParameters(config),
    recipe,
    threads,
    trainTokens: result.trainTokens,
    heldOut: { rows: recipe.heldOutRows, tokensPerRow: recipe.seqLength, initialLoss: result.initialHeldOutLoss, finalLoss: result.heldOutLoss, unit: 'nats per token' },
    wallSeconds: Math.round(seconds),
  });
  console.log(`wrote ${modelFile}`);
}

main().catch((e) => {
  console.error(`make-demo-model: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
