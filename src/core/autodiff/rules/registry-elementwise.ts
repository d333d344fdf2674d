import { GradRule } from '../grad-context';
import { addGrad, divGrad, mulGrad, subGrad } from './elementwise-arith';
import { sumGrad } from './sum';

export const elementwiseRules: [string, GradRule][] = [
  ['Add', addGrad],
  ['Sub', subGrad],
  ['Mul', mulGrad],
  ['Div', divGrad],
  ['Sum', sumGrad],
];
