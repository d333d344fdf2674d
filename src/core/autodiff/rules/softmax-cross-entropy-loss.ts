import { GradContext, GradRule } from '../grad-context';
import { labelCoefficients, reduceSumAxes, rejectWeightGradient } from './negative-log-likelihood-loss';

/** p = softmax(X) over the class axis 1, reusing the node's log_prob output when it has one.  [N, C, D1…Dk] */
function classProbabilities(ctx: GradContext): string {
  const x = ctx.inputs[0];
  const logProb = ctx.outputs[1];
  if (logProb) return ctx.op('Exp', [logProb]);
  // Before opset 13 Softmax(axis=1) normalises over all trailing axes together, so it only fits rank 2.
  if (ctx.opset >= 13 || ctx.rank(x) === 2) return ctx.op('Softmax', [x], { axis: 1 });
  const logSumExp = ctx.op('ReduceLogSumExp', [x], { axes: [1], keepdims: 1 });
  return ctx.op('Exp', [ctx.op('Sub', [x, logSumExp])]);
}

// Y = SCE(X, y[, w]) = NLL(LP, y[, w]) with LP = log_softmax(X, axis 1), the optional second output.
// The NLL gradient is −coef_i at [i, y_i] (see labelCoefficients), and through log_softmax
//   dX = dLP − p ⊙ Σ_c dLP,  so the loss part alone is  coef_i · (p[i, :] − onehot(y_i)):
//   dX = coef ⊙ p, then dX[i, y_i] −= coef_i   (GatherElements/ScatterElements, no one-hot tensor)
// and, when LP is used downstream, + dLP − p ⊙ Σ_c dLP.                        all [N, C, D1…Dk]
export const softmaxCrossEntropyLossGrad: GradRule = (ctx, [dY, dLogProb]) => {
  rejectWeightGradient(ctx);
  if (!ctx.needsGrad(0)) return [undefined, undefined, undefined];
  const p = classProbabilities(ctx);
  const terms: string[] = [];
  if (dY) {
    const { labelIndex, coef } = labelCoefficients(ctx, dY);
    const scaled = ctx.op('Mul', [p, coef]);
    const atLabel = ctx.op('Sub', [ctx.op('GatherElements', [scaled, labelIndex], { axis: 1 }), coef]);
    terms.push(ctx.op('ScatterElements', [scaled, labelIndex, atLabel], { axis: 1 }));
  }
  if (dLogProb) {
    terms.push(ctx.op('Sub', [dLogProb, ctx.op('Mul', [p, reduceSumAxes(ctx, dLogProb, [1])])]));
  }
  const dX = terms.length === 1 ? terms[0] : ctx.op('Add', terms);
  return [dX, undefined, undefined];
};
