// What every loss head shares: finding the logits output, naming new tensors without clashes, and the
// class-loss tail (SoftmaxCrossEntropyLoss, optionally split per task) appended after the head-specific
// reshaping. The input model is never mutated: a head returns a new ModelProto sharing the old arrays' items.
import { AttrValue, makeNode } from '../onnx/attributes';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, Dim, FunctionProto, Graph, ModelProto, NodeProto, TensorProto, ValueInfo, dataTypeName } from '../onnx/types';
import { LOSS_FUNCTION_DOMAIN, ROW_CROSS_ENTROPY, rowCrossEntropyFunction } from './row-cross-entropy';

export class LossHeadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LossHeadError';
  }
}

export interface TaskLossOptions {
  /** Number of tasks T; task ids run over 0…T−1. */
  taskCount: number;
  /** Graph input with one int64 task id per batch row, [b]. Default 'task_ids'. */
  taskIdsName?: string;
  /** Output with the mean loss of each task, [T]. Default 'task_loss'. */
  outputName?: string;
}

export interface LossHeadOptions {
  /** The graph output holding the logits. Default: the output named 'logits', else the only output. */
  logits?: string;
  /** New int64 graph input. Default 'labels'. */
  labelsName?: string;
  /** New scalar output. Default 'loss'. */
  lossName?: string;
  /** Labels equal to this value are not counted. Default −100 (PyTorch / Hugging Face). */
  ignoreIndex?: number;
  /** Also output per-task mean losses for mixed-task batches. */
  tasks?: TaskLossOptions;
  /** Keep the model's original outputs after the loss outputs. Default true. */
  keepOutputs?: boolean;
}

export interface LossHeadNames {
  logits: string;
  labels: string;
  loss: string;
  taskIds?: string;
  taskLoss?: string;
}

export interface LossHead {
  model: ModelProto;
  names: LossHeadNames;
}

export const DEFAULT_IGNORE_INDEX = -100;
/** SoftmaxCrossEntropyLoss exists from opset 12. */
const MIN_OPSET = 12;

/** Appends nodes and constants under `LossHead/…` names that cannot clash with the model's own. */
export class HeadBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly functions: FunctionProto[] = [];
  private readonly used = new Set<string>();

  constructor(
    graph: Graph,
    private readonly opset: number,
  ) {
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.initializers]) this.used.add(v.name);
    for (const n of graph.nodes) {
      this.used.add(n.name);
      for (const o of n.outputs) this.used.add(o);
    }
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  private unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Claims an exact name for a new graph input or output; throws when the model already uses it. */
  claim(name: string, role: string): string {
    if (this.used.has(name)) {
      throw new LossHeadError(`cannot add ${role} '${name}': the model already has a tensor or node of that name; choose another name in the loss-head options`);
    }
    this.used.add(name);
    return name;
  }

  /** Emits one node; its output is `output` when given (an already claimed name), else a fresh name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, output?: string): string {
    const nodeName = this.unique(`LossHead/${opType}`);
    const out = output ?? this.unique(`${nodeName}_out`);
    this.nodes.push(makeNode(opType, inputs, [out], nodeName, attrs));
    return out;
  }

  constant(dims: number[], dtype: DataType, values: number[]): string {
    const name = this.unique(`LossHead/const_${dataTypeName(dtype).toLowerCase()}`);
    this.initializers.push(makeTensor(name, dims, dtype, values));
    return name;
  }

  int64s(values: number[]): string {
    return this.constant([values.length], DataType.INT64, values);
  }

  /** ℓ [N] of scores [N, C] (row-cross-entropy.ts), through the model-local function added with the head. */
  rowCrossEntropy(scores: string, labels: string, ignoreIndex: number, lossType: DataType): string {
    const name = this.unique('LossHead/RowCrossEntropy');
    const loss = this.unique(`${name}_loss`);
    const logProb = this.unique(`${name}_log_prob`);
    this.nodes.push(makeNode(ROW_CROSS_ENTROPY, [scores, labels], [loss, logProb], name, { reduction: 'none', ignore_index: ignoreIndex }, LOSS_FUNCTION_DOMAIN));
    if (!this.functions.length) this.functions.push(rowCrossEntropyFunction(this.opset, lossType, ignoreIndex));
    return loss;
  }
}

export function opsetOf(model: ModelProto): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

/** The logits output the head attaches to, checked for rank and float type. */
export function findLogits(model: ModelProto, requested: string | undefined, rank: number, headName: string): ValueInfo {
  const opset = opsetOf(model);
  if (opset < MIN_OPSET) {
    throw new LossHeadError(
      `${headName}: the model imports ONNX opset ${opset}, but SoftmaxCrossEntropyLoss needs opset ≥ ${MIN_OPSET}; re-export it with opset_version=17`,
    );
  }
  const outputs = model.graph.outputs;
  const list = outputs.map((o) => `'${o.name}'`).join(', ');
  const found = requested
    ? outputs.find((o) => o.name === requested)
    : (outputs.find((o) => o.name === 'logits') ?? (outputs.length === 1 ? outputs[0] : undefined));
  if (!found) {
    throw new LossHeadError(
      requested
        ? `${headName}: the model has no output '${requested}' (outputs: ${list}); pass the logits output's name as 'logits'`
        : `${headName}: cannot tell which output holds the logits (outputs: ${list}); pass its name as 'logits'`,
    );
  }
  if (found.shape && found.shape.length !== rank) {
    throw new LossHeadError(`${headName}: output '${found.name}' has rank ${found.shape.length}, expected logits of rank ${rank}`);
  }
  const t = found.elemType ?? DataType.FLOAT;
  if (t !== DataType.FLOAT && t !== DataType.DOUBLE && t !== DataType.FLOAT16 && t !== DataType.BFLOAT16) {
    throw new LossHeadError(`${headName}: output '${found.name}' is ${dataTypeName(t)}, expected float logits`);
  }
  return found;
}

/** Loss dtype: float logits keep their type; half-precision logits are widened to float32 for the loss. */
export function lossTypeOf(logits: ValueInfo): DataType {
  return logits.elemType === DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
}

export interface ClassLossTail {
  /** [N, C] scores, already in the loss dtype. */
  scores: string;
  /** [N] int64 labels (ignored entries equal ignoreIndex). */
  labels: string;
  /** [N] int64 task id of each label, when per-task losses are wanted. */
  taskIds?: string;
  taskCount?: number;
  ignoreIndex: number;
  lossType: DataType;
  lossName: string;
  taskLossName?: string;
}

/**
 * From the per-row cross-entropy ℓ (row-cross-entropy.ts; ℓ_i = 0 where ignored):
 *   counted_i = [y_i ≠ ignore],  loss = Σ ℓ / Σ counted  (the mean over counted labels),
 * and with tasks:
 *   M[i, t] = [task_i = t]  [N, T],  task_loss = (ℓ·M) / max(counted·M, 1)  [T]  (0 for a task with no label).
 */
export function appendClassLossTail(b: HeadBuilder, tail: ClassLossTail): void {
  const { scores, labels, ignoreIndex, lossType } = tail;
  const tokenLoss = b.rowCrossEntropy(scores, labels, ignoreIndex, lossType);
  const ignored = b.op('Equal', [labels, b.int64s([ignoreIndex])]);
  const counted = b.op('Cast', [b.op('Not', [ignored])], { to: lossType });
  const sum = (x: string) => b.op('ReduceSum', [x], { keepdims: 0 });
  b.op('Div', [sum(tokenLoss), sum(counted)], {}, tail.lossName);
  if (!tail.taskIds || !tail.taskLossName) return;

  const taskRange = b.int64s(Array.from({ length: tail.taskCount ?? 0 }, (_, t) => t));
  const column = b.op('Reshape', [tail.taskIds, b.int64s([-1, 1])]);
  const membership = b.op('Cast', [b.op('Equal', [column, taskRange])], { to: lossType });
  const taskSum = b.op('MatMul', [tokenLoss, membership]);
  const taskCounted = b.op('MatMul', [counted, membership]);
  const atLeastOne = b.op('Max', [taskCounted, b.constant([], lossType, [1])]);
  b.op('Div', [taskSum, atLeastOne], {}, tail.taskLossName);
}

export function tensorInput(name: string, elemType: DataType, shape: Dim[]): ValueInfo {
  return { name, elemType, shape };
}

/** Claims the head's new input and output names (see LossHeadOptions for the defaults). */
export function claimHeadNames(b: HeadBuilder, logits: string, options: LossHeadOptions): LossHeadNames {
  const names: LossHeadNames = {
    logits,
    labels: b.claim(options.labelsName ?? 'labels', 'the labels input'),
    loss: b.claim(options.lossName ?? 'loss', 'the loss output'),
  };
  if (options.tasks) {
    names.taskIds = b.claim(options.tasks.taskIdsName ?? 'task_ids', 'the task-ids input');
    names.taskLoss = b.claim(options.tasks.outputName ?? 'task_loss', 'the per-task loss output');
  }
  return names;
}

/** Graph inputs labels (shaped `labelDims`) and task_ids [b]; outputs loss [] and task_loss [T]. */
export function headInterface(names: LossHeadNames, labelDims: Dim[], lossType: DataType, taskCount: number | undefined): { inputs: ValueInfo[]; outputs: ValueInfo[] } {
  const inputs = [tensorInput(names.labels, DataType.INT64, labelDims.map((d) => ({ ...d })))];
  const outputs = [tensorInput(names.loss, lossType, [])];
  if (names.taskIds && names.taskLoss && taskCount !== undefined) {
    inputs.push(tensorInput(names.taskIds, DataType.INT64, [{ ...labelDims[0] }]));
    outputs.push(tensorInput(names.taskLoss, lossType, [{ value: taskCount }]));
  }
  return { inputs, outputs };
}

/** Logits in the loss dtype (half precision is widened; the Cast is differentiable). */
export function logitsInLossType(b: HeadBuilder, logits: ValueInfo, lossType: DataType): string {
  return logits.elemType !== undefined && logits.elemType !== lossType ? b.op('Cast', [logits.name], { to: lossType }) : logits.name;
}

/** The new model: the head's nodes appended, new inputs added, loss outputs first. */
export function assembleHead(
  model: ModelProto,
  b: HeadBuilder,
  newInputs: ValueInfo[],
  newOutputs: ValueInfo[],
  keepOutputs: boolean,
): ModelProto {
  const g = model.graph;
  const graph: Graph = {
    ...g,
    nodes: [...g.nodes, ...b.nodes],
    initializers: [...g.initializers, ...b.initializers],
    inputs: [...g.inputs, ...newInputs],
    outputs: [...newOutputs, ...(keepOutputs ? g.outputs : [])],
    valueInfo: [...g.valueInfo],
  };
  const functions = [...(model.functions ?? []), ...b.functions];
  if (b.functions.length && (model.functions ?? []).some((f) => f.domain === LOSS_FUNCTION_DOMAIN)) {
    throw new LossHeadError(`the model already has functions in domain '${LOSS_FUNCTION_DOMAIN}' (a loss head was appended before); append the head to the model itself`);
  }
  const opsetImports = model.opsetImports.some((o) => o.domain === LOSS_FUNCTION_DOMAIN) || !b.functions.length
    ? [...model.opsetImports]
    : [...model.opsetImports, { domain: LOSS_FUNCTION_DOMAIN, version: 1 }];
  return { ...model, graph, opsetImports, metadata: [...model.metadata], ...(functions.length ? { functions } : {}) };
}

export function checkTaskOptions(tasks: TaskLossOptions | undefined, headName: string): void {
  if (tasks && (!Number.isInteger(tasks.taskCount) || tasks.taskCount < 1)) {
    throw new LossHeadError(`${headName}: tasks.taskCount must be a positive integer, got ${tasks.taskCount}`);
  }
}
