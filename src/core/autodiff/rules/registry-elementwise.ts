import { GradRule } from '../grad-context';
import { absGrad } from './abs';
import { addGrad } from './add';
import { castGrad } from './cast';
import { clipGrad } from './clip';
import { cosGrad } from './cos';
import { divGrad } from './div';
import { dropoutGrad } from './dropout';
import { eluGrad } from './elu';
import { erfGrad } from './erf';
import { expGrad } from './exp';
import { geluGrad } from './gelu';
import { hardSigmoidGrad } from './hard-sigmoid';
import { identityGrad } from './identity';
import { leakyReluGrad } from './leaky-relu';
import { logGrad } from './log';
import { maxGrad } from './max';
import { meanGrad } from './mean';
import { minGrad } from './min';
import { mulGrad } from './mul';
import { negGrad } from './neg';
import { powGrad } from './pow';
import { reciprocalGrad } from './reciprocal';
import { reluGrad } from './relu';
import { sigmoidGrad } from './sigmoid';
import { sinGrad } from './sin';
import { softplusGrad } from './softplus';
import { sqrtGrad } from './sqrt';
import { subGrad } from './sub';
import { sumGrad } from './sum';
import { tanhGrad } from './tanh';
import { whereGrad } from './where';

export const elementwiseRules: [string, GradRule][] = [
  ['Add', addGrad],
  ['Sub', subGrad],
  ['Mul', mulGrad],
  ['Div', divGrad],
  ['Neg', negGrad],
  ['Pow', powGrad],
  ['Sqrt', sqrtGrad],
  ['Reciprocal', reciprocalGrad],
  ['Exp', expGrad],
  ['Log', logGrad],
  ['Sum', sumGrad],
  ['Mean', meanGrad],
  ['Max', maxGrad],
  ['Min', minGrad],
  ['Where', whereGrad],
  ['Clip', clipGrad],
  ['Abs', absGrad],
  ['Sin', sinGrad],
  ['Cos', cosGrad],
  ['Tanh', tanhGrad],
  ['Sigmoid', sigmoidGrad],
  ['HardSigmoid', hardSigmoidGrad],
  ['Erf', erfGrad],
  ['Relu', reluGrad],
  ['LeakyRelu', leakyReluGrad],
  ['Elu', eluGrad],
  ['Softplus', softplusGrad],
  ['Gelu', geluGrad],
  ['Cast', castGrad],
  ['Identity', identityGrad],
  ['Dropout', dropoutGrad],
];
