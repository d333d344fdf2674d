// The full-parameter training graph: the same autodiff as LoRA training, with every weight trainable. The
// weight initializers become graph inputs (fed each step from the optimizer's copy), the causal-LM loss head
// is appended, and buildGradientGraph adds the backward pass, so one run returns the loss and every gradient.
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../autodiff/build-gradient-graph';
import { TensorInfo } from '../autodiff/grad-context';
import { Batch } from '../io/batch-file';
import { appendCausalLmLoss } from '../loss/causal-lm-loss';
import { LossHeadNames } from '../loss/loss-head';
import { convertModelToFloat64 } from '../onnx/convert-precision';
import { tensorToFloat32 } from '../onnx/tensor-data';
import { DataType, ModelProto, TensorProto } from '../onnx/types';
import { probeTensorInfo } from '../runtime/probe-tensor-info';
import { batchFeeds } from '../train/batch-feeds';
import { makeProbeBatch } from '../train/probe-batch';

export type Precision = 'float32' | 'float64';

export interface WeightTensor {
  name: string;
  dims: number[];
  values: Float32Array;
}

/** The trainable weights of a model: its float initializers named `*.weight` (tables and constants are not). */
export function trainableWeights(model: ModelProto): WeightTensor[] {
  const isWeight = (t: TensorProto) => t.name.endsWith('.weight') && (t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE);
  const found = model.graph.initializers.filter(isWeight).map((t) => ({ name: t.name, dims: [...t.dims], values: tensorToFloat32(t) }));
  if (found.length === 0) {
    throw new Error(`model '${model.graph.name}' has no float initializer named '*.weight'; full-parameter training needs named weights`);
  }
  return found;
}

/** The model with the named initializers turned into graph inputs of the same type and shape. */
export function weightsAsInputs(model: ModelProto, names: readonly string[]): ModelProto {
  const wanted = new Set(names);
  const moved = model.graph.initializers.filter((t) => wanted.has(t.name));
  if (moved.length !== wanted.size) {
    const missing = names.filter((n) => !moved.some((t) => t.name === n));
    throw new Error(`weightsAsInputs: no initializer named ${missing.map((n) => `'${n}'`).join(', ')} in graph '${model.graph.name}'`);
  }
  return {
    ...model,
    graph: {
      ...model.graph,
      initializers: model.graph.initializers.filter((t) => !wanted.has(t.name)),
      inputs: [
        ...model.graph.inputs,
        ...moved.map((t) => ({ name: t.name, elemType: t.dataType, shape: t.dims.map((value) => ({ value })) })),
      ],
    },
  };
}

/** A weight as a runtime tensor in the graph's precision (float64 values let finite-difference checks perturb exactly). */
export function weightTensor(values: Float32Array | Float64Array, dims: readonly number[], precision: Precision): ort.Tensor {
  if (precision === 'float64') return new ort.Tensor('float64', Float64Array.from(values), dims);
  return new ort.Tensor('float32', values instanceof Float32Array ? values : Float32Array.from(values), dims);
}

export interface FullParameterGraph {
  model: ModelProto;
  head: LossHeadNames;
  /** Weight name -> gradient output name, in model order. */
  gradOutputs: Map<string, string>;
  weights: WeightTensor[];
  precision: Precision;
  infos: Map<string, TensorInfo>;
}

export interface FullParameterGraphOptions {
  /** 'float64' converts the graph (for finite-difference checks). Default 'float32'. */
  precision?: Precision;
  /** Only build the loss (no backward): for held-out evaluation. Default false. */
  lossOnly?: boolean;
}

/** Loss (and gradients of every weight) of a causal LM, with the weights as inputs. */
export async function buildFullParameterGraph(base: ModelProto, sampleBatch: Batch, options: FullParameterGraphOptions = {}): Promise<FullParameterGraph> {
  const precision = options.precision ?? 'float32';
  const weights = trainableWeights(base);
  const converted = precision === 'float64' ? convertModelToFloat64(base) : base;
  const headed = appendCausalLmLoss(weightsAsInputs(converted, weights.map((w) => w.name)), { keepOutputs: false });
  if (options.lossOnly) {
    return { model: headed.model, head: headed.names, gradOutputs: new Map(), weights, precision, infos: new Map() };
  }
  const feeds: Record<string, ort.Tensor> = batchFeeds(headed.model, makeProbeBatch(sampleBatch), headed.names);
  for (const w of weights) feeds[w.name] = weightTensor(w.values, w.dims, precision);
  const infos = await probeTensorInfo(headed.model, feeds);
  const trainable = weights.map((w) => w.name);
  const graph = buildGradientGraph({ model: headed.model, loss: headed.names.loss, trainable, infos });
  return { model: graph.model, head: headed.names, gradOutputs: graph.gradOutputs, weights, precision, infos };
}
