// The flat registry of gradient rules, one line per op, and the ops that never carry a gradient.
import { GradRule } from '../grad-context';
import { addGrad, divGrad, mulGrad, subGrad } from './elementwise-arith';
import { matmulGrad } from './matmul';
import { reduceSumGrad } from './reduce-sum';
import { sumGrad } from './sum';

export const gradientRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['MatMul', matmulGrad],
  ['Add', addGrad],
  ['Sub', subGrad],
  ['Mul', mulGrad],
  ['Div', divGrad],
  ['Sum', sumGrad],
  ['ReduceSum', reduceSumGrad],
]);

/** Ops whose outputs are integer/boolean or otherwise constant with respect to float inputs. */
export const noGradientOps: ReadonlySet<string> = new Set([
  'Shape',
  'Size',
  'ConstantOfShape',
  'Constant',
  'Range',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
  'NonZero',
  'ArgMax',
  'ArgMin',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'EyeLike',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'TopK',
]);
