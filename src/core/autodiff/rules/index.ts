// The flat registry of gradient rules (one line per op, grouped by file family) and the ops that never
// carry a gradient. A rule file holds one op; its test lives in test/unit/core/autodiff/rules/.
import { GradRule } from '../grad-context';
import { elementwiseRules } from './registry-elementwise';
import { layoutRules } from './registry-layout';
import { normalizationRules } from './registry-normalization';
import { lossRules } from './registry-loss';

export const gradientRules: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ...elementwiseRules,
  ...layoutRules,
  ...normalizationRules,
  ...lossRules,
]);

/**
 * Ops that need no gradient rule: their outputs are integer/boolean, or piecewise constant in their float
 * inputs (zero gradient almost everywhere), so they are never on a path that carries a gradient.
 */
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
  'EyeLike',
  'OneHot',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
]);
