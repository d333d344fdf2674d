// Causal language-model loss, Hugging Face convention: logits[:, :-1] predict labels[:, 1:], labels equal to
// ignore_index (−100) are not counted, loss = mean over counted tokens (NaN when none is counted, as in HF;
// checkCausalLmBatch refuses such a batch before it is fed).
import { DataType, ModelProto } from '../onnx/types';
import {
  DEFAULT_IGNORE_INDEX,
  HeadBuilder,
  LossHead,
  LossHeadOptions,
  appendClassLossTail,
  assembleHead,
  checkTaskOptions,
  claimHeadNames,
  findLogits,
  headInterface,
  logitsInLossType,
  lossTypeOf,
  opsetOf,
} from './loss-head';

const HEAD = 'causal LM loss head';
const INT64_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Returns a new model with int64 input `labels` [b, s] (and `task_ids` [b] with options.tasks) and the scalar
 * output `loss` (and `task_loss` [T]). The logits output [b, s, V] stays in the graph; the input model is
 * left untouched.
 */
export function appendCausalLmLoss(model: ModelProto, options: LossHeadOptions = {}): LossHead {
  const logitsInfo = findLogits(model, options.logits, 3, HEAD);
  checkTaskOptions(options.tasks, HEAD);
  const ignoreIndex = options.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const lossType = lossTypeOf(logitsInfo);
  const logits = logitsInfo.name;
  const b = new HeadBuilder(model.graph, opsetOf(model));
  const names = claimHeadNames(b, logits, options);
  const { labels, taskIds } = names;

  // The shift moves the labels, not the logits: target[:, t] = labels[:, t+1] for t < s−1 and ignore_index at
  // t = s−1, so logits[:, t] meets labels[:, t+1] exactly as in HF, the last position is not counted, and
  // the [b, s, V] logits are never copied by a Slice (nor their gradient padded back).   target [b, s]
  const nextLabels = b.op('Slice', [labels, b.int64s([1]), b.int64s([INT64_MAX]), b.int64s([1])]);
  const targets = b.op('Pad', [nextLabels, b.int64s([0, 0, 0, 1]), b.constant([], DataType.INT64, [ignoreIndex])]);

  // Flatten tokens: scores [b·s, V], labels [b·s]. Reshape is free in ONNX Runtime (no copy).
  const vocab = logitsInfo.shape?.[2]?.value;
  const scoreShape =
    vocab !== undefined
      ? b.int64s([-1, vocab])
      : b.op('Concat', [b.int64s([-1]), b.op('Slice', [b.op('Shape', [logits]), b.int64s([2]), b.int64s([3]), b.int64s([0])])], { axis: 0 });
  const scores = b.op('Reshape', [logitsInLossType(b, logitsInfo, lossType), scoreShape]);
  const flatTargets = b.op('Reshape', [targets, b.int64s([-1])]);

  // Each token takes its row's task id: task_ids [b] → [b, 1] → [b, s] → [b·s].
  const tokenTasks = taskIds
    ? b.op('Reshape', [b.op('Expand', [b.op('Reshape', [taskIds, b.int64s([-1, 1])]), b.op('Shape', [labels])]), b.int64s([-1])])
    : undefined;
  appendClassLossTail(b, {
    scores,
    labels: flatTargets,
    taskIds: tokenTasks,
    taskCount: options.tasks?.taskCount,
    ignoreIndex,
    lossType,
    lossName: names.loss,
    taskLossName: names.taskLoss,
  });

  const [batchDim, seqDim] = logitsInfo.shape ?? [{ param: 'batch' }, { param: 'seq' }];
  const { inputs, outputs } = headInterface(names, [batchDim, seqDim], lossType, options.tasks?.taskCount);
  return { model: assembleHead(model, b, inputs, outputs, options.keepOutputs ?? true), names };
}
