import { GradRule } from '../grad-context';
import { rmsNormGrad } from './simplified-layer-normalization';

// RMSNormalization (opset 23): Y = X / √(mean_axes X² + ε) ⊙ scale, the same math as ONNX Runtime's
// SimplifiedLayerNormalization without the inv_std_var output (see rmsNormGrad)
export const rmsNormalizationGrad: GradRule = rmsNormGrad;
