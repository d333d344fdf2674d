import { GradRule } from '../grad-context';
import { batchNormalizationGrad } from './batch-normalization';
import { groupNormalizationGrad } from './group-normalization';
import { instanceNormalizationGrad } from './instance-normalization';
import { layerNormalizationGrad } from './layer-normalization';
import { logSoftmaxGrad } from './log-softmax';
import { reduceL2Grad } from './reduce-l2';
import { reduceLogSumExpGrad } from './reduce-log-sum-exp';
import { reduceMaxGrad } from './reduce-max';
import { reduceMeanGrad } from './reduce-mean';
import { reduceMinGrad } from './reduce-min';
import { reduceSumGrad } from './reduce-sum';
import { reduceSumSquareGrad } from './reduce-sum-square';
import { rmsNormalizationGrad } from './rms-normalization';
import { simplifiedLayerNormalizationGrad } from './simplified-layer-normalization';
import { skipLayerNormalizationGrad } from './skip-layer-normalization';
import { softmaxGrad } from './softmax';

// Reductions, softmax and normalization. SkipLayerNormalization is com.microsoft; ONNX Runtime registers
// SimplifiedLayerNormalization in the default domain. ReduceL1, ReduceProd and ReduceLogSum have no rule yet.
export const normalizationRules: [string, GradRule][] = [
  ['ReduceSum', reduceSumGrad],
  ['ReduceMean', reduceMeanGrad],
  ['ReduceSumSquare', reduceSumSquareGrad],
  ['ReduceMax', reduceMaxGrad],
  ['ReduceMin', reduceMinGrad],
  ['ReduceL2', reduceL2Grad],
  ['ReduceLogSumExp', reduceLogSumExpGrad],
  ['Softmax', softmaxGrad],
  ['LogSoftmax', logSoftmaxGrad],
  ['LayerNormalization', layerNormalizationGrad],
  ['GroupNormalization', groupNormalizationGrad],
  ['InstanceNormalization', instanceNormalizationGrad],
  ['BatchNormalization', batchNormalizationGrad],
  ['SkipLayerNormalization', skipLayerNormalizationGrad],
  ['SimplifiedLayerNormalization', simplifiedLayerNormalizationGrad],
  ['RMSNormalization', rmsNormalizationGrad],
];
