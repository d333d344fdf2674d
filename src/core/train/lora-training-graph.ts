// The LoRA training graph of a user's model: LoRA injected into the target modules, a loss head appended,
// optional extra loss terms (SPR), and the backward graph, so one ONNX Runtime run returns the loss, the
// per-task losses and the gradient of every adapter tensor. Saved modules (modules_to_save) are trained in full:
// their weights and biases become graph inputs too. Every other weight remains a frozen initializer.
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../autodiff/build-gradient-graph';
import { TensorInfo } from '../autodiff/grad-context';
import { Batch } from '../io/batch-file';
import { InjectedAdapter, injectLora } from '../lora/inject-lora';
import { liftSavedParams } from '../lora/lift-saved-params';
import { SavedParam } from '../lora/modules-to-save';
import { ResolvedModule } from '../lora/linear-modules';
import { appendCausalLmLoss } from '../loss/causal-lm-loss';
import { LossHeadNames } from '../loss/loss-head';
import { appendSequenceClassificationLoss } from '../loss/sequence-classification-loss';
import { makeNode } from '../onnx/attributes';
import { convertModelToFloat64 } from '../onnx/convert-precision';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, ModelProto } from '../onnx/types';
import { probeTensorInfo } from '../runtime/probe-tensor-info';
import { batchFeeds } from './batch-feeds';
import { makeProbeBatch } from './probe-batch';

export type TaskHead = 'causal_lm' | 'sequence_classification';

/** A term added to the task loss: L = L_task + weight·term. Appends its nodes to the model it is given. */
export interface ExtraLossTerm {
  name: string;
  weight: number;
  append(model: ModelProto, adapters: readonly InjectedAdapter[]): { model: ModelProto; output: string };
}

export interface LoraTrainingGraphOptions {
  modules: readonly ResolvedModule[];
  rank: number | Readonly<Record<string, number>>;
  alpha: number | Readonly<Record<string, number>>;
  head: TaskHead;
  /** Number of tasks for per-task losses (mixed-task batches carry task_ids). */
  taskCount?: number;
  extraTerms?: readonly ExtraLossTerm[];
  /** 'float64' converts the whole graph (for checks against float64 references). Default 'float32'. */
  precision?: Precision;
  /** Parameters of saved modules, trained in full (graph inputs named `<module>.<param>`, PyTorch layout). */
  saved?: readonly SavedParam[];
}

export type Precision = 'float32' | 'float64';

export interface LoraTrainingGraph {
  model: ModelProto;
  adapters: InjectedAdapter[];
  /** Trained saved-module parameters, fed like the adapters from the same value map. */
  saved: readonly SavedParam[];
  head: LossHeadNames;
  /** Scalar outputs: the total loss first, then each extra term's raw value. */
  lossOutput: string;
  termOutputs: Map<string, string>;
  /** Adapter graph input name -> gradient output name. */
  gradOutputs: Map<string, string>;
  /** Graph inputs of the base model (input_ids, attention_mask, …). */
  modelInputs: string[];
  infos: Map<string, TensorInfo>;
  precision: Precision;
}

/** Zero-filled adapter and saved-parameter feeds: the probe needs shapes only. */
function zeroFeeds(adapters: readonly InjectedAdapter[], saved: readonly SavedParam[], precision: Precision): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const a of adapters) {
    feeds[a.aInput] = adapterTensor(new Float32Array(a.shapeA[0] * a.shapeA[1]), a.shapeA, precision);
    feeds[a.bInput] = adapterTensor(new Float32Array(a.shapeB[0] * a.shapeB[1]), a.shapeB, precision);
  }
  for (const p of saved) feeds[p.input] = adapterTensor(new Float32Array(p.shape.reduce((n, d) => n * d, 1)), p.shape, precision);
  return feeds;
}

/** Feeds for the saved parameters from a value map (graph input -> float32 values), each checked for size. */
export function savedFeeds(saved: readonly SavedParam[], values: ReadonlyMap<string, Float32Array>, precision: Precision): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const p of saved) {
    const data = values.get(p.input);
    const size = p.shape.reduce((n, d) => n * d, 1);
    if (!data) throw new Error(`no value for the saved module parameter '${p.input}'`);
    if (data.length !== size) throw new Error(`saved module parameter '${p.input}' has ${data.length} values; its shape [${p.shape}] needs ${size}`);
    feeds[p.input] = adapterTensor(data, p.shape, precision);
  }
  return feeds;
}

/** An adapter value as a runtime tensor in the graph's precision. */
export function adapterTensor(data: Float32Array, dims: readonly number[], precision: Precision): ort.Tensor {
  return precision === 'float64' ? new ort.Tensor('float64', Float64Array.from(data), dims) : new ort.Tensor('float32', data, dims);
}

export async function buildLoraTrainingGraph(
  base: ModelProto,
  options: LoraTrainingGraphOptions,
  sampleBatch: Batch,
): Promise<LoraTrainingGraph> {
  const precision = options.precision ?? 'float32';
  const floatType = precision === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  if (precision === 'float64') base = convertModelToFloat64(base);
  const modelInputs = base.graph.inputs.map((v) => v.name).filter((n) => !base.graph.initializers.some((t) => t.name === n));
  const modules = precision === 'float64' ? options.modules.map((m) => ({ ...m, dtype: DataType.DOUBLE })) : options.modules;
  const saved = options.saved ?? [];
  base = liftSavedParams(base, saved, floatType);
  const injected = injectLora(base, modules, { rank: options.rank, alpha: options.alpha, dtype: floatType });
  const tasks = options.taskCount ? { taskCount: options.taskCount } : undefined;
  const headed =
    options.head === 'causal_lm'
      ? appendCausalLmLoss(injected.model, { tasks, keepOutputs: false })
      : appendSequenceClassificationLoss(injected.model, { tasks, keepOutputs: false });
  let model = headed.model;
  let lossOutput = headed.names.loss;
  const termOutputs = new Map<string, string>();
  for (const term of options.extraTerms ?? []) {
    const appended = term.append(model, injected.adapters);
    model = appended.model;
    termOutputs.set(term.name, appended.output);
    if (term.weight !== 0) {
      // L = L_task + w·term, as two plain nodes so the gradient rules of Mul/Add carry it.
      const weightName = `${term.name}/weight`;
      const weighted = `${term.name}/weighted`;
      const total = `${term.name}/total_loss`;
      model = {
        ...model,
        graph: {
          ...model.graph,
          initializers: [
            ...model.graph.initializers,
            makeTensor(weightName, [], floatType, [term.weight]),
          ],
          nodes: [
            ...model.graph.nodes,
            makeNode('Mul', [appended.output, weightName], [weighted], `${term.name}/Mul`),
            makeNode('Add', [lossOutput, weighted], [total], `${term.name}/Add`),
          ],
        },
      };
      lossOutput = total;
    }
  }
  const probe = makeProbeBatch(sampleBatch);
  const feeds = { ...batchFeeds(model, probe, headed.names), ...zeroFeeds(injected.adapters, saved, precision) };
  const infos = await probeTensorInfo(model, feeds);
  const trainable = [...injected.adapters.flatMap((a) => [a.aInput, a.bInput]), ...saved.map((p) => p.input)];
  const extraOutputs = [
    ...(headed.names.taskLoss ? [headed.names.taskLoss] : []),
    ...(lossOutput !== headed.names.loss ? [headed.names.loss] : []),
    ...termOutputs.values(),
  ];
  const graph = buildGradientGraph({ model, loss: lossOutput, trainable, extraOutputs, infos });
  return {
    model: graph.model,
    adapters: injected.adapters,
    saved,
    head: headed.names,
    lossOutput,
    termOutputs,
    gradOutputs: graph.gradOutputs,
    modelInputs,
    infos,
    precision,
  };
}
