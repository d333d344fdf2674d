import { GradRule } from '../grad-context';

// Y = A + B:  dA = dY,  dB = dY  (each summed over its broadcast axes)
export const addGrad: GradRule = (ctx, [dY]) => [
  ctx.needsGrad(0) ? ctx.unbroadcast(dY!, ctx.inputs[0]) : undefined,
  ctx.needsGrad(1) ? ctx.unbroadcast(dY!, ctx.inputs[1]) : undefined,
];

// Y = A − B:  dA = dY,  dB = −dY
export const subGrad: GradRule = (ctx, [dY]) => [
  ctx.needsGrad(0) ? ctx.unbroadcast(dY!, ctx.inputs[0]) : undefined,
  ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Neg', [dY!]), ctx.inputs[1]) : undefined,
];

// Y = A ⊙ B:  dA = dY ⊙ B,  dB = dY ⊙ A
export const mulGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  return [
    ctx.needsGrad(0) ? ctx.unbroadcast(ctx.op('Mul', [dY!, b]), a) : undefined,
    ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Mul', [dY!, a]), b) : undefined,
  ];
};

// Y = A / B:  dA = dY / B,  dB = −dY ⊙ Y / B
export const divGrad: GradRule = (ctx, [dY]) => {
  const [a, b] = ctx.inputs;
  const y = ctx.outputs[0];
  return [
    ctx.needsGrad(0) ? ctx.unbroadcast(ctx.op('Div', [dY!, b]), a) : undefined,
    ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Neg', [ctx.op('Div', [ctx.op('Mul', [dY!, y]), b])]), b) : undefined,
  ];
};
