// LoRA-GA's gradient estimate: the gradient of the task loss with respect to each target weight W of the
// frozen base model, averaged over sampled batches (the authors' estimate_gradient: per batch the mean loss
// over its labelled tokens, then the mean over batches):
//   G = (1/N) Σ_b ∂L_b/∂W      (d_out×d_in, PyTorch's layout)
// The weights are lifted to graph inputs in PyTorch's layout (lora/lift-saved-params.ts, as modules_to_save
// are trained), so the engine's own autodiff returns ∂L/∂W = Σ_tokens gᵀx, the same product a LoRA's
// ∂L/∂B is built from. The batches are summed in float64 here. One call is one pass, a forward and backward
// per batch; method-init.ts splits the modules into passes whose float64 sums fit (layerPasses).
import { Batch } from '../io/batch-file';
import { Matrix } from '../linalg/matrix';
import { ResolvedModule } from '../lora/linear-modules';
import { SavedParam, baseValues } from '../lora/modules-to-save';
import { ModelProto } from '../onnx/types';
import { SessionOptions } from '../runtime/session';
import { Precision, TaskHead, buildLoraTrainingGraph } from '../train/lora-training-graph';
import { TrainStepSession } from '../train/train-step-session';

export interface WeightGradientOptions extends Pick<SessionOptions, 'device' | 'threads' | 'onNotice'> {
  head: TaskHead;
  /** 'float64' for checks against float64 references. Default 'float32'. */
  precision?: Precision;
}

function weightParam(model: ModelProto, m: ResolvedModule): SavedParam {
  const t = model.graph.initializers.find((x) => x.name === m.initializer);
  if (!t) throw new Error(`weight gradients: module '${m.peftName}': its weight '${m.initializer}' is not an initializer of the base model; resolve the targets on this model`);
  return { module: m.peftName, param: 'weight', input: `${m.peftName}.weight`, initializer: m.initializer, shape: [m.dOut, m.dIn], transposed: m.stored === 'in_out', dataType: t.dataType };
}

/** PEFT name → G = mean over `batches` of ∂L/∂W (d_out×d_in), for every module of `modules` in one pass. */
export async function weightGradients(model: ModelProto, modules: readonly ResolvedModule[], batches: readonly Batch[], options: WeightGradientOptions): Promise<Map<string, Matrix>> {
  if (batches.length === 0) throw new Error('weight gradients: no batches; give the sampled batches the gradient is averaged over');
  const params = modules.map((m) => weightParam(model, m));
  const graph = await buildLoraTrainingGraph(model, { modules: [], rank: 1, alpha: 1, head: options.head, saved: params, precision: options.precision }, batches[0]);
  const values = new Map(params.map((p) => [p.input, baseValues(model, p)]));
  const sums = params.map((p) => new Float64Array(p.shape[0] * p.shape[1]));
  const session = await TrainStepSession.open(graph, { device: options.device ?? 'cpu', threads: options.threads, onNotice: options.onNotice });
  try {
    for (const [i, batch] of batches.entries()) {
      let grads: Map<string, Float32Array>;
      try {
        ({ grads } = await session.run(batch, values));
      } catch (e) {
        throw new Error(`weight gradients: batch ${i} [${batch.batchSize}×${batch.seqLength}]: ${(e as Error).message}`);
      }
      params.forEach((p, k) => {
        const g = grads.get(p.input)!;
        const sum = sums[k];
        for (let j = 0; j < sum.length; j++) sum[j] += g[j];
      });
    }
  } finally {
    await session.release();
  }
  return new Map(params.map((p, k) => [p.module, { rows: p.shape[0], cols: p.shape[1], data: sums[k].map((v) => v / batches.length) }]));
}
