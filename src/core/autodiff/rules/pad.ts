import { attrString } from '../../onnx/attributes';
import { GradientError, GradRule } from '../grad-context';

// Y = pad(X, p, value) in constant mode. A negative pad crops, so dX = pad(dY, −p): it cuts the added
// border off again and re-inserts zeros where a negative p had cropped X. Opset 18's `axes` input is
// passed through unchanged. The pad value fills the rest:  dvalue = Σ dY − Σ dX.
export const padGrad: GradRule = (ctx, [dY]) => {
  const mode = attrString(ctx.node, 'mode', 'constant');
  if (mode !== 'constant') {
    throw new GradientError(`node '${ctx.node.name}' (Pad): mode '${mode}' has no gradient rule, only 'constant' does`);
  }
  const [x, pads, value, axes] = ctx.inputs;
  if (!pads) {
    throw new GradientError(`node '${ctx.node.name}' (Pad): pads given as an attribute (opset < 11); re-export with opset ≥ 13`);
  }
  const negPads = ctx.op('Neg', [pads]);
  const dX = ctx.op('Pad', axes ? [dY!, negPads, '', axes] : [dY!, negPads]);
  let dValue: string | undefined;
  if (value && ctx.needsGrad(2)) {
    const outside = ctx.op('Sub', [ctx.op('ReduceSum', [dY!], { keepdims: 0 }), ctx.op('ReduceSum', [dX], { keepdims: 0 })]);
    dValue = ctx.op('Reshape', [outside, ctx.shapeOf(value)]);
  }
  return [ctx.needsGrad(0) ? dX : undefined, undefined, dValue];
};
