// Cross-entropy per row over a wide class axis (150k-word vocabularies), as a model-local ONNX function.
// ONNX Runtime expands the standard SoftmaxCrossEntropyLoss into a LogSoftmax over a [N, C, 1] view (its
// function body handles the general [N, C, D…] case), which runs ~6× slower than LogSoftmax on the last axis
// of [N, C]; and its optional log_prob output would then keep a second [N, C] copy next to the logits. This
// function computes exactly SoftmaxCrossEntropyLoss(reduction 'none') with log_prob on the 2-D layout:
//   LP = LogSoftmax(X, axis 1)   [N, C]  (X itself is dead afterwards: only LP is kept for the backward)
//   ℓ_i = −LP[i, y_i], and 0 where y_i = ignore_index                                   [N]
// Its gradient is the SoftmaxCrossEntropyLoss rule (p = Exp(LP), no other [N, C] tensor of the forward).
import { makeNode } from '../onnx/attributes';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, FunctionProto } from '../onnx/types';

export const LOSS_FUNCTION_DOMAIN = 'ai.thanora';
export const ROW_CROSS_ENTROPY = 'RowCrossEntropy';

/**
 * The function for scores of `lossType`; a call takes (scores [N, C], labels [N] int64) and returns
 * (loss [N], log_prob [N, C]), with the attributes reduction = 'none' and ignore_index of the body, so the
 * gradient rule reads them off the call exactly as off a SoftmaxCrossEntropyLoss node.
 */
export function rowCrossEntropyFunction(opset: number, lossType: DataType, ignoreIndex: number): FunctionProto {
  const constant = (name: string, dims: number[], dtype: DataType, values: number[]) =>
    makeNode('Constant', [], [name], `${name}/Constant`, { value: makeTensor('value', dims, dtype, values) });
  // Unsqueeze/Squeeze take axes as an input from opset 13, as an attribute before.
  const unsqueeze = opset >= 13 ? makeNode('Unsqueeze', ['safe', 'axis1'], ['safe_col'], 'unsqueeze') : makeNode('Unsqueeze', ['safe'], ['safe_col'], 'unsqueeze', { axes: [1] });
  const squeeze = opset >= 13 ? makeNode('Squeeze', ['picked', 'axis1'], ['picked_row'], 'squeeze') : makeNode('Squeeze', ['picked'], ['picked_row'], 'squeeze', { axes: [1] });
  return {
    name: ROW_CROSS_ENTROPY,
    domain: LOSS_FUNCTION_DOMAIN,
    inputs: ['scores', 'labels'],
    outputs: ['loss', 'log_prob'],
    attributes: ['reduction', 'ignore_index'],
    nodes: [
      makeNode('LogSoftmax', ['scores'], ['log_prob'], 'log_softmax', { axis: 1 }),
      constant('ignore_value', [], DataType.INT64, [ignoreIndex]),
      constant('zero_index', [], DataType.INT64, [0]),
      constant('axis1', [1], DataType.INT64, [1]),
      constant('zero_loss', [], lossType, [0]),
      makeNode('Equal', ['labels', 'ignore_value'], ['ignored'], 'ignored'),
      makeNode('Where', ['ignored', 'zero_index', 'labels'], ['safe'], 'safe_labels'),
      unsqueeze,
      makeNode('GatherElements', ['log_prob', 'safe_col'], ['picked'], 'pick', { axis: 1 }),
      squeeze,
      makeNode('Neg', ['picked_row'], ['nll'], 'neg'),
      makeNode('Where', ['ignored', 'zero_loss', 'nll'], ['loss'], 'mask_ignored'),
    ],
    opsetImports: [{ domain: '', version: opset }],
  };
}
