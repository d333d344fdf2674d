import { GradRule } from '../grad-context';
import { concatGrad } from './concat';
import { einsumGrad } from './einsum';
import { expandGrad } from './expand';
import { flattenGrad } from './flatten';
import { gatherGrad } from './gather';
import { gatherElementsGrad } from './gather-elements';
import { gemmGrad } from './gemm';
import { matmulGrad } from './matmul';
import { padGrad } from './pad';
import { reshapeGrad } from './reshape';
import { sliceGrad } from './slice';
import { splitGrad } from './split';
import { squeezeGrad } from './squeeze';
import { tileGrad } from './tile';
import { transposeGrad } from './transpose';
import { unsqueezeGrad } from './unsqueeze';

export const layoutRules: [string, GradRule][] = [
  ['MatMul', matmulGrad],
  ['Gemm', gemmGrad],
  ['Einsum', einsumGrad],
  ['Reshape', reshapeGrad],
  ['Flatten', flattenGrad],
  ['Squeeze', squeezeGrad],
  ['Unsqueeze', unsqueezeGrad],
  ['Transpose', transposeGrad],
  ['Expand', expandGrad],
  ['Tile', tileGrad],
  ['Concat', concatGrad],
  ['Split', splitGrad],
  ['Slice', sliceGrad],
  ['Pad', padGrad],
  ['Gather', gatherGrad],
  ['GatherElements', gatherElementsGrad],
];
