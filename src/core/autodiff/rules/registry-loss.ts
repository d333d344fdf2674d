import { GradRule } from '../grad-context';
import { negativeLogLikelihoodLossGrad } from './negative-log-likelihood-loss';
import { softmaxCrossEntropyLossGrad } from './softmax-cross-entropy-loss';

export const lossRules: [string, GradRule][] = [
  ['SoftmaxCrossEntropyLoss', softmaxCrossEntropyLossGrad],
  ['NegativeLogLikelihoodLoss', negativeLogLikelihoodLossGrad],
];
