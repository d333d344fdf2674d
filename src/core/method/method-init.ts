// The method-initialization layer between the engine and the trainer: base model + resolved target modules +
// the experiment's lora/method config (+ preview batches per task for the methods with a preview) → the initial
// adapter values, the residual base model, the block maps, HASI's allocation report and each module's scale.
// Every module gets one LoRA of the full rank r (the blocks split it), so injectLora takes rank r, alpha.
// Deterministic given `seed`: per-module seeds are derived from the module name, not from the order.
import { Batch } from '../io/batch-file';
import { Matrix } from '../linalg/matrix';
import { indexGraph } from '../lora/graph-index';
import { ResolvedModule } from '../lora/linear-modules';
import { ModelProto, TensorProto } from '../onnx/types';
import { AllocationEvent } from '../../protocol/run-events';
import { BlockMap } from '../thanora/block-map';
import { residualOf, roundToFloat32, setAdapterValues, subtractedBlocks } from './adapter-values';
import { METHOD_INITIALIZERS } from './method-initializers';
import { MethodName, hasTaskBlocks, methodSpec } from './method-registry';
import { MethodInitConfig, checkMethodRequest, defaultPreviewMemoryBytes, layerPasses, previewGroups, taskBlocksSummary } from './method-request';
import { ModuleInit } from './module-inits';
import { moduleWeight, residualTensor, withInitializers } from './module-weights';
import { ortMatmul } from './ort-matmul';
import { previewCovariances } from './preview-covariances';
import { takeSamples } from './preview-batches';
import { weightGradients } from './weight-gradients';
import { layerIndexOf } from './layer-index';

export type { MethodInitConfig } from './method-request';

export interface MethodInitRequest extends MethodInitConfig {
  model: ModelProto;
  modules: readonly ResolvedModule[];
  /** Preview batches per task, in task order (methods with a `preview` in method-registry.ts); the first `method.previewSamples` rows of each are used. */
  preview?: readonly (readonly Batch[])[];
}

export interface ModuleBlocks {
  /** Rows of A (= columns of B) of each task block, in task order; [] for the baselines. */
  taskRanks: number[];
  /** The shared block; for the baselines the whole adapter (r). */
  cooperativeRank: number;
}

export interface MethodInit {
  method: MethodName;
  /** The frozen base of training: W' = W − s·B₀A₀ for residual methods (a new ModelProto), the input model for lora. */
  model: ModelProto;
  residual: boolean;
  /** Rank of every module's adapter (the total budget r). */
  rank: number;
  /** Graph-input name (`<module>.lora_A.weight` / `.lora_B.weight`) → float32 values, A [r, d_in], B [d_out, r]. */
  values: Map<string, Float32Array>;
  /** The same names → A₀, B₀ (the blocks subtracted from W, other rows/columns zero); empty for lora. */
  init: Map<string, Float32Array>;
  /** Per module, for CheckpointMeta.blocks. */
  blocks: Record<string, ModuleBlocks>;
  /** Per module, the full block maps (SPR, diagnostics). */
  blockMaps: Map<string, BlockMap>;
  /** HASI's AllocationEvent 'modules' payload (methods with task blocks). */
  allocation?: AllocationEvent['modules'];
  /** s = alpha / r per module. */
  scales: Map<string, number>;
  /** Transformer layer per module (−1 unknown). */
  layers: Map<string, number>;
  /** Preview tokens counted per task (methods with a preview). */
  tokenCounts?: number[];
}

export async function initializeMethod(request: MethodInitRequest): Promise<MethodInit> {
  const { model, modules, lora, method } = request;
  checkMethodRequest(request);
  const index = indexGraph(model.graph);
  const residual = methodSpec(method.name).residual;
  const out: MethodInit = {
    method: method.name,
    model,
    residual,
    rank: lora.r,
    values: new Map(),
    init: new Map(),
    blocks: {},
    blockMaps: new Map(),
    allocation: hasTaskBlocks(method.name) ? [] : undefined,
    scales: new Map(),
    layers: new Map(modules.map((m) => [m.peftName, layerIndexOf(m.peftName)])),
  };
  // Residual weights are kept as tensors in the weight's own float type, not as float64 matrices.
  const residuals = new Map<string, TensorProto>();
  const weights = new Map<string, Matrix>();
  const record = (m: ResolvedModule, init: ModuleInit) => {
    // The adapter holds float32 values; the residual is taken from exactly those.
    const a = roundToFloat32(init.a);
    const b = roundToFloat32(init.b);
    setAdapterValues(out.values, m.peftName, a, b);
    out.blockMaps.set(m.peftName, init.blocks);
    out.blocks[m.peftName] = taskBlocksSummary(init.blocks);
    out.scales.set(m.peftName, init.scaling);
    if (init.entropies) {
      const s = out.blocks[m.peftName];
      out.allocation!.push({ module: m.peftName, layer: out.layers.get(m.peftName)!, ranks: s.taskRanks, cooperativeRank: s.cooperativeRank, entropies: init.entropies });
    }
    if (!residual) return;
    const { a0, b0 } = subtractedBlocks(a, b, init.blocks);
    setAdapterValues(out.init, m.peftName, a0, b0);
    residuals.set(m.initializer, residualTensor(index, m, residualOf(weights.get(m.peftName)!, a0, b0, init.blocks, init.scaling)));
    weights.delete(m.peftName);
  };
  // Progress of the 'init' phase: modules initialised of all, whichever initializer records them.
  let recorded = 0;
  const recordCounted: typeof record = (m, init) => {
    record(m, init);
    request.onPhase?.('init', ++recorded, modules.length);
  };
  const weightOf = (m: ResolvedModule) => {
    const w = moduleWeight(index, m);
    weights.set(m.peftName, w);
    return w;
  };

  const matmul = ortMatmul({ device: request.device, threads: request.threads, onNotice: request.onNotice });
  const ctx = { lora, method, seed: request.seed, matmul: matmul.matmul, onProgress: request.onProgress };
  const initializer = METHOD_INITIALIZERS[method.name];
  try {
    if (!initializer.preview) {
      for (const m of modules) {
        request.onProgress?.(`${method.name} init: ${m.peftName}`);
        recordCounted(m, await initializer.init(m, () => weightOf(m), ctx));
      }
    } else if (initializer.preview === 'gradients') {
      // LoRA-GA's batches: the preview batches of every task together, G averaged over all of them.
      const batches = request.preview!.flatMap((b) => takeSamples(b, method.previewSamples));
      const groups = layerPasses(modules, (m) => m.dIn * m.dOut * 8, request.previewMemoryBytes ?? defaultPreviewMemoryBytes);
      for (const [g, group] of groups.entries()) {
        request.onPhase?.('preview', g, groups.length);
        request.onProgress?.(`preview gradients: ${group.length} modules (${group[0].peftName} …), ${batches.length} batches`);
        const grads = await weightGradients(model, group, batches, { head: request.head!, device: request.device, threads: request.threads, onNotice: request.onNotice });
        request.onPhase?.('preview', g + 1, groups.length);
        for (const m of group) {
          weightOf(m); // W, which record() turns into the residual W − s·B₀A₀
          recordCounted(m, await initializer.init(m, grads.get(m.peftName)!, ctx));
        }
      }
    } else {
      const preview = request.preview!;
      const tokenCounts = preview.map(() => 0);
      const groups = previewGroups(modules, preview.length, request.previewMemoryBytes);
      for (const [g, group] of groups.entries()) {
        request.onPhase?.('preview', g, groups.length);
        request.onProgress?.(`preview covariances: ${group.length} modules (${group[0].peftName} …)`);
        const cov = await previewCovariances(model, group, preview, {
          device: request.device,
          threads: request.threads,
          onNotice: request.onNotice,
          samples: method.previewSamples,
          tokens: request.previewTokens,
        });
        cov.tokenCounts.forEach((n, t) => (tokenCounts[t] = n));
        request.onPhase?.('preview', g + 1, groups.length);
        const inputs = group.map((m) => ({ module: m, weight: () => weightOf(m), covariances: cov.covariances.get(m.peftName)! }));
        await initializer.init(inputs, { ...ctx, tokenCounts: cov.tokenCounts, record: recordCounted });
      }
      out.tokenCounts = tokenCounts;
    }
  } finally {
    await matmul.release();
  }
  if (residual) out.model = withInitializers(model, residuals);
  // Allocation 'layer' visits modules layer by layer; report them in target order.
  const order = new Map(modules.map((m, i) => [m.peftName, i]));
  out.allocation?.sort((x, y) => order.get(x.module)! - order.get(y.module)!);
  return out;
}

