import { GradRule } from '../grad-context';
import { reduceExtremumGrad } from './reduce-max';

// Y = min_axes X: the gradient goes to the minimum; ties split evenly (see reduceExtremumGrad)
export const reduceMinGrad: GradRule = reduceExtremumGrad;
