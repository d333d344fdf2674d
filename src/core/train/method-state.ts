// The method's state at the start of training: from a fresh initialisation (HASI or a baseline) or rebuilt
// from a checkpoint, where the residual base W' = W − s·B₀A₀ is recomputed exactly as at init (same float32
// A₀, B₀, same block map, same arithmetic) so a resumed run continues bit-identically.
import { collateBatch } from '../data/collate';
import { indexGraph } from '../lora/graph-index';
import { adapterMatrices, residualOf } from '../method/adapter-values';
import { MethodInit, initializeMethod } from '../method/method-init';
import { engineBatch } from '../method/preview-batches';
import { moduleWeight, residualTensor, withInitializers } from '../method/module-weights';
import { layerIndexOf } from '../method/layer-index';
import { MethodName, methodSpec } from '../method/method-registry';
import { BlockMap, blockMapFor } from '../thanora/block-map';
import { ExperimentSetup } from './experiment-setup';
import { LoadedCheckpoint } from './checkpoint';
import { Batch } from '../io/batch-file';
import { TensorProto } from '../onnx/types';
import { baseValues } from '../lora/modules-to-save';

/** Preview batches per task: the first previewSamples train examples of each, in file order. */
export function previewBatches(setup: ExperimentSetup): Batch[][] {
  const { training, method } = setup.config;
  const collate = { padding: training.padding, seqLength: training.seqLength, padId: setup.tokenizer.special.pad };
  return setup.data.tasks.map((task, t) => {
    const examples = task.train.slice(0, method.previewSamples);
    const batches: Batch[] = [];
    for (let i = 0; i < examples.length; i += training.batchSize) {
      const items = examples.slice(i, i + training.batchSize).map((example) => ({ example, task: t }));
      batches.push(engineBatch(collateBatch(items, collate)));
    }
    return batches;
  });
}

export interface InitReporters {
  onLog?: (line: string) => void;
  /** Device notes of the preview sessions. */
  onNotice?: (line: string) => void;
  onProgress?: (line: string) => void;
  onPhase?: (phase: 'preview' | 'init', done: number, total: number) => void;
}

export async function initializeFresh(setup: ExperimentSetup, { onLog, onNotice, onProgress, onPhase }: InitReporters = {}): Promise<MethodInit> {
  const { config } = setup;
  const needsPreview = methodSpec(config.method.name).preview;
  onLog?.(`initializing ${config.method.name} on ${setup.modules.length} modules${needsPreview ? ` (preview: ${config.method.previewSamples} samples per task)` : ''}`);
  const init = await initializeMethod({
    model: setup.model,
    modules: setup.modules,
    lora: { r: config.lora.r, alpha: config.lora.alpha },
    method: config.method,
    tasks: config.tasks.map((t) => t.name),
    seed: config.training.seed,
    device: config.device,
    threads: config.threads || undefined,
    onNotice,
    onProgress,
    onPhase,
    head: setup.head,
    preview: needsPreview ? previewBatches(setup) : undefined,
  });
  // Saved modules start from the base model's own weights, as PEFT's copies do.
  for (const p of setup.saved) init.values.set(p.input, baseValues(setup.model, p));
  return init;
}

// The checkpoint holds exactly the saved modules the experiment trains, each of its size.
function checkSavedValues(setup: ExperimentSetup, checkpoint: LoadedCheckpoint): void {
  const wanted = new Set(setup.saved.map((p) => p.input));
  for (const p of setup.saved) {
    const v = checkpoint.values.get(p.input);
    const size = p.shape.reduce((n, d) => n * d, 1);
    if (!v) throw new Error(`the checkpoint ${checkpoint.dir} has no '${p.input}' (lora.modulesToSave trains it); resume with the experiment it was trained from`);
    if (v.length !== size) throw new Error(`the checkpoint's '${p.input}' has ${v.length} values, the model's [${p.shape}] needs ${size}; resume with the experiment it was trained from`);
  }
  const extra = [...checkpoint.values.keys()].filter((k) => !/\.lora_[AB]\.weight$/.test(k) && !wanted.has(k));
  if (extra.length > 0) {
    throw new Error(`the checkpoint ${checkpoint.dir} trains ${extra.map((k) => `'${k}'`).join(', ')} in full, which lora.modulesToSave does not name; resume with the experiment it was trained from`);
  }
}

// taskBlocksSummary counts everything that is not a task block as cooperative: a one-block method's whole rank.
function blockMapOfCheckpoint(method: MethodName, summary: { taskRanks: number[]; cooperativeRank: number }): BlockMap {
  const kind = methodSpec(method).blocks;
  if (kind === 'tasks+cooperative') return blockMapFor(summary.taskRanks, summary.cooperativeRank);
  return { rank: summary.cooperativeRank, blocks: [{ kind, offset: 0, rank: summary.cooperativeRank }] };
}

export function restoreFromCheckpoint(setup: ExperimentSetup, checkpoint: LoadedCheckpoint): MethodInit {
  const { meta } = checkpoint;
  checkSavedValues(setup, checkpoint);
  const r = setup.config.lora.r;
  const s = setup.config.lora.alpha / r;
  const blockMaps = new Map<string, BlockMap>();
  const residuals = new Map<string, TensorProto>();
  const index = indexGraph(setup.model.graph);
  for (const m of setup.modules) {
    const summary = meta.blocks[m.peftName];
    if (!summary) throw new Error(`the checkpoint has no adapter for module '${m.peftName}'; resume with the experiment it was trained from`);
    const blocks = blockMapOfCheckpoint(meta.method, summary);
    blockMaps.set(m.peftName, blocks);
    if (meta.residual) {
      const { a, b } = adapterMatrices(checkpoint.init!, m.peftName, r, m.dIn, m.dOut);
      residuals.set(m.initializer, residualTensor(index, m, residualOf(moduleWeight(index, m), a, b, blocks, s)));
    }
  }
  return {
    method: meta.method,
    model: meta.residual ? withInitializers(setup.model, residuals) : setup.model,
    residual: meta.residual,
    rank: r,
    values: checkpoint.values,
    init: checkpoint.init ?? new Map(),
    blocks: meta.blocks,
    blockMaps,
    scales: new Map(setup.modules.map((m) => [m.peftName, s])),
    layers: new Map(setup.modules.map((m) => [m.peftName, layerIndexOf(m.peftName)])),
  };
}
