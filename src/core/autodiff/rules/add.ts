import { GradRule } from '../grad-context';

// Y = A + B:  dA = dY,  dB = dY  (each summed over its broadcast axes)
export const addGrad: GradRule = (ctx, [dY]) => [
  ctx.needsGrad(0) ? ctx.unbroadcast(dY!, ctx.inputs[0]) : undefined,
  ctx.needsGrad(1) ? ctx.unbroadcast(dY!, ctx.inputs[1]) : undefined,
];
