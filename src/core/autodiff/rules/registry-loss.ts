import { LOSS_FUNCTION_DOMAIN, ROW_CROSS_ENTROPY } from '../../loss/row-cross-entropy';
import { GradRule } from '../grad-context';
import { negativeLogLikelihoodLossGrad } from './negative-log-likelihood-loss';
import { softmaxCrossEntropyLossGrad } from './softmax-cross-entropy-loss';

// The loss head's RowCrossEntropy function (loss/row-cross-entropy.ts) is SoftmaxCrossEntropyLoss with
// reduction 'none' and its log_prob output; custom domains are keyed `<domain>:<op>`.
export const lossRules: [string, GradRule][] = [
  ['SoftmaxCrossEntropyLoss', softmaxCrossEntropyLossGrad],
  [`${LOSS_FUNCTION_DOMAIN}:${ROW_CROSS_ENTROPY}`, softmaxCrossEntropyLossGrad],
  ['NegativeLogLikelihoodLoss', negativeLogLikelihoodLossGrad],
];
