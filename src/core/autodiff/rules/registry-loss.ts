import { GradRule } from '../grad-context';

export const lossRules: [string, GradRule][] = [];
