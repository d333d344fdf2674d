import { GradContext, GradRule, GradientError } from '../grad-context';

/** The output scale s of kept elements: 1/(1 − ratio) in training mode, 1 in inference mode (ratio default 0.5). */
function keptScale(ctx: GradContext, trainingMode: string): string {
  const y = ctx.outputs[0];
  const ratio = ctx.inputs[1] ? ctx.op('Cast', [ctx.inputs[1]], { to: ctx.dtype(y) }) : ctx.scalarLike(0.5, y);
  const trainingScale = ctx.op('Reciprocal', [ctx.op('Sub', [ctx.scalarLike(1, y), ratio])]);
  return ctx.op('Where', [trainingMode, trainingScale, ctx.scalarLike(1, y)]);
}

// Opsets < 12 (ratio attribute) run Dropout in inference mode only:  Y = X  ⇒  dX = dY.
// Opset ≥ 12, inputs (X, ratio?, training_mode?), outputs (Y, mask?):
//   training_mode absent (inference):  Y = X  ⇒  dX = dY
//   with a mask output:  Y = X ⊙ mask ⊙ s  ⇒  dX = dY ⊙ s where mask, else 0  (s: see keptScale; in
//   inference mode the mask is all true and s = 1)
export const dropoutGrad: GradRule = (ctx, [dY]) => {
  const trainingMode = ctx.opset >= 12 ? ctx.inputs[2] : undefined;
  if (!trainingMode) return [dY, undefined, undefined];
  const mask = ctx.outputs[1];
  if (!mask) {
    throw new GradientError(
      `node '${ctx.node.name}' (Dropout): it has a training_mode input ('${trainingMode}') but no mask output, so the ` +
        `dropped elements cannot be recovered for the gradient; export the model in eval mode (Dropout becomes ` +
        `Identity) or keep Dropout's second output (mask)`,
    );
  }
  const dX = ctx.op('Where', [mask, ctx.op('Mul', [dY!, keptScale(ctx, trainingMode)]), ctx.scalarLike(0, ctx.outputs[0])]);
  return [dX, undefined, undefined];
};
