import { GradRule } from '../grad-context';
import { reduceSumGrad } from './reduce-sum';

export const normalizationRules: [string, GradRule][] = [['ReduceSum', reduceSumGrad]];
