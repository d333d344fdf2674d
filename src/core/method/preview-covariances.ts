// HASI step 1 for a group of target modules: run the frozen base model in ONNX Runtime over each task's
// preview batches and accumulate C_t = XᵀX / n_tokens of every module's input X. XᵀX is computed inside the
// graph per batch (thanora/preview-covariance.ts); only d_in×d_in per distinct input comes back, and the
// batches are summed in float64 here. Modules that read the same tensor (q/k/v, gate/up) share one C_t.
import * as ort from 'onnxruntime-node';
import { Batch } from '../io/batch-file';
import { Matrix } from '../linalg/matrix';
import { indexGraph } from '../lora/graph-index';
import { ResolvedModule } from '../lora/linear-modules';
import { DataType, ModelProto } from '../onnx/types';
import { SessionOptions } from '../runtime/session';
import { CovarianceTarget, appendCovarianceOutputs } from '../thanora/preview-covariance';
import { batchFeeds, unfedInputs } from '../train/batch-feeds';
import { PreviewTokens, previewTokenMask, takeSamples } from './preview-batches';
import { openModelSession } from '../runtime/model-session';

export interface PreviewOptions extends Pick<SessionOptions, 'device' | 'threads' | 'onNotice'> {
  /** Rows per task to use (the design's `previewSamples`); default: every row given. */
  samples?: number;
  /** Which positions count (preview-batches.ts); default 'labelled'. */
  tokens?: PreviewTokens;
}

export interface PreviewCovariances {
  /** PEFT name → C_t per task (d_in×d_in, undamped). Modules with the same input share the matrices. */
  covariances: Map<string, Matrix[]>;
  /** Counted tokens per task. */
  tokenCounts: number[];
}

export const previewMaskInput = 'preview/token_mask';

interface CovarianceGraph {
  model: ModelProto;
  targets: CovarianceTarget[];
  /** PEFT name → index into targets. */
  targetOf: Map<string, number>;
  outputs: string[];
  /** Per target: its counted rows (tokens, or examples for a pooler). */
  rows: string[];
  tokens: string;
}

function buildCovarianceGraph(model: ModelProto, modules: readonly ResolvedModule[]): CovarianceGraph {
  const index = indexGraph(model.graph);
  const targets: CovarianceTarget[] = [];
  const byInput = new Map<string, number>();
  const targetOf = new Map<string, number>();
  for (const m of modules) {
    const node = index.producer.get(m.output);
    if (!node || node.opType !== m.op) {
      throw new Error(`preview covariances: module '${m.peftName}': no ${m.op} node produces '${m.output}' in the base model; resolve the targets on this model`);
    }
    const input = node.inputs[0];
    if (!byInput.has(input)) {
      byInput.set(input, targets.length);
      targets.push({ name: m.peftName, input, dIn: m.dIn });
    }
    targetOf.set(m.peftName, byInput.get(input)!);
  }
  if (model.graph.inputs.some((i) => i.name === previewMaskInput)) throw new Error(`preview covariances: the model already has an input named '${previewMaskInput}'`);
  const withMask: ModelProto = {
    ...model,
    graph: {
      ...model.graph,
      inputs: [...model.graph.inputs, { name: previewMaskInput, elemType: DataType.FLOAT, shape: [{ param: 'batch' }, { param: 'seq' }] }],
    },
  };
  const appended = appendCovarianceOutputs(withMask, targets, previewMaskInput, DataType.FLOAT);
  const outputs = targets.map((t) => appended.outputs.get(t.name)!);
  const rows = targets.map((t) => appended.rows.get(t.name)!);
  // Only the covariances are fetched, so the runtime prunes what they do not need (the LM head, the last layers).
  const keep = new Set([...outputs, ...rows, appended.tokens]);
  const graph = { ...appended.model.graph, outputs: appended.model.graph.outputs.filter((o) => keep.has(o.name)) };
  return { model: { ...appended.model, graph }, targets, targetOf, outputs, rows, tokens: appended.tokens };
}

export async function previewCovariances(
  model: ModelProto,
  modules: readonly ResolvedModule[],
  batchesPerTask: readonly (readonly Batch[])[],
  options: PreviewOptions = {},
): Promise<PreviewCovariances> {
  if (batchesPerTask.length === 0) throw new Error('preview covariances: no tasks; give one list of preview batches per task');
  const g = buildCovarianceGraph(model, modules);
  const sums = batchesPerTask.map(() => g.targets.map((t) => new Float64Array(t.dIn * t.dIn)));
  const rowCounts = batchesPerTask.map(() => g.targets.map(() => 0));
  const tokenCounts = batchesPerTask.map(() => 0);
  const opened = await openModelSession(g.model, { device: options.device ?? 'cpu', threads: options.threads, onNotice: options.onNotice });
  try {
    for (let task = 0; task < batchesPerTask.length; task++) {
      const batches = takeSamples(batchesPerTask[task], options.samples ?? Infinity);
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i];
        const feeds: Record<string, ort.Tensor> = {
          ...batchFeeds(g.model, batch),
          [previewMaskInput]: new ort.Tensor('float32', previewTokenMask(batch, options.tokens), [batch.batchSize, batch.seqLength]),
        };
        const missing = unfedInputs(g.model, Object.keys(feeds));
        if (missing.length) throw new Error(`preview covariances: the base model needs inputs a token batch does not provide: ${missing.join(', ')}`);
        let out: ort.InferenceSession.OnnxValueMapType;
        try {
          out = await opened.session.run(feeds);
        } catch (e) {
          throw new Error(
            `preview covariances: task ${task}, batch ${i} [${batch.batchSize}×${batch.seqLength}]: ONNX Runtime failed (${String((e as Error).message).split('\n')[0]}). ` +
              `Every target module must take one row per token [batch, seq, d_in] or per example [batch, d_in] (a pooler)`,
          );
        }
        tokenCounts[task] += Number(out[g.tokens].data[0]);
        g.rows.forEach((name, k) => (rowCounts[task][k] += Number(out[name].data[0])));
        g.outputs.forEach((name, k) => {
          const xtx = out[name].data as Float32Array;
          const sum = sums[task][k];
          for (let j = 0; j < sum.length; j++) sum[j] += xtx[j];
        });
      }
    }
  } finally {
    await opened.session.release();
  }
  tokenCounts.forEach((n, task) => {
    if (n === 0) {
      throw new Error(
        `preview covariances: task ${task} counted no tokens (no batches, or every position is padding or labelled −100); ` +
          `give the task examples with completions, or count prompt tokens too (tokens: 'attended')`,
      );
    }
  });
  // C_t = (Σ_batches XᵀX) / (Σ_batches n_rows): rows are tokens, or examples for a pooler.
  const perTarget = g.targets.map((t, k) =>
    sums.map((taskSums, task): Matrix => ({ rows: t.dIn, cols: t.dIn, data: taskSums[k].map((v) => v / rowCounts[task][k]) })),
  );
  const covariances = new Map(modules.map((m) => [m.peftName, perTarget[g.targetOf.get(m.peftName)!]]));
  return { covariances, tokenCounts };
}
