import { GradContext, GradRule } from '../grad-context';

/**
 * dY given X's runtime shape back. Shape(X) holds the exact dims, so from opset 14 `allowzero` keeps a
 * zero-sized dim at zero instead of letting Reshape copy dY's dim at that index.
 */
export function reshapeToInput(ctx: GradContext, dY: string, x: string): string {
  return ctx.op('Reshape', [dY, ctx.shapeOf(x)], { allowzero: ctx.opset >= 14 ? 1 : undefined });
}

// Y = reshape(X, s) keeps the row-major element order:  dX = reshape(dY, shape(X))
export const reshapeGrad: GradRule = (ctx, [dY]) => [reshapeToInput(ctx, dY!, ctx.inputs[0])];
