// Sequence classification loss: logits [b, C], labels [b], mean cross-entropy over the rows whose label is
// not ignore_index (−100), as Hugging Face's single-label classification does.
import { ModelProto } from '../onnx/types';
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

const HEAD = 'sequence classification loss head';

/**
 * Returns a new model with int64 input `labels` [b] (and `task_ids` [b] with options.tasks) and the scalar
 * output `loss` (and `task_loss` [T]); the input model is left untouched.
 */
export function appendSequenceClassificationLoss(model: ModelProto, options: LossHeadOptions = {}): LossHead {
  const logitsInfo = findLogits(model, options.logits, 2, HEAD);
  checkTaskOptions(options.tasks, HEAD);
  const lossType = lossTypeOf(logitsInfo);
  const logits = logitsInfo.name;
  const b = new HeadBuilder(model.graph, opsetOf(model));
  const names = claimHeadNames(b, logits, options);

  // Rows are already the SoftmaxCrossEntropyLoss layout: scores [N = b, C], labels [N].
  appendClassLossTail(b, {
    scores: logitsInLossType(b, logitsInfo, lossType),
    labels: names.labels,
    taskIds: names.taskIds,
    taskCount: options.tasks?.taskCount,
    ignoreIndex: options.ignoreIndex ?? DEFAULT_IGNORE_INDEX,
    lossType,
    lossName: names.loss,
    taskLossName: names.taskLoss,
  });

  const batchDim = logitsInfo.shape?.[0] ?? { param: 'batch' };
  const { inputs, outputs } = headInterface(names, [batchDim], lossType, options.tasks?.taskCount);
  return { model: assembleHead(model, b, inputs, outputs, options.keepOutputs ?? true), names };
}
