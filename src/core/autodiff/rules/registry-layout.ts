import { GradRule } from '../grad-context';
import { matmulGrad } from './matmul';

export const layoutRules: [string, GradRule][] = [['MatMul', matmulGrad]];
