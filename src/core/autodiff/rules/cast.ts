import { isFloatType } from '../../onnx/tensor-data';
import { GradRule } from '../grad-context';

// Y = Cast(X, to):  float → float casts: dX = Cast(dY, to = type of X)  (fp32 ↔ fp16/bf16/fp64).
// A cast to an integer or bool type has no gradient: its output never carries one (the gradient builder
// stops at non-float tensors), and an integer input never needs one.
export const castGrad: GradRule = (ctx, [dY]) => {
  const x = ctx.inputs[0];
  const from = ctx.dtype(x);
  if (!isFloatType(from) || !isFloatType(ctx.dtype(ctx.outputs[0]))) return [undefined];
  if (from === ctx.dtype(ctx.outputs[0])) return [dY];
  return [ctx.op('Cast', [dY!], { to: from })];
};
