import { attrString } from '../../onnx/attributes';
import { GradContext, GradientError, GradRule } from '../grad-context';

const ELLIPSIS = '...';

/** One operand's subscripts: the letters, and how many come before an ellipsis (-1: no ellipsis). */
interface Term {
  text: string;
  letters: string[];
  ellipsisAt: number;
}

function parseTerm(text: string): Term {
  const at = text.indexOf(ELLIPSIS);
  const letters = text.replace(ELLIPSIS, '').split('');
  return { text, letters, ellipsisAt: at < 0 ? -1 : text.slice(0, at).length };
}

/** Operand and output terms; the implicit form's output is '...' (if used) + letters seen once, sorted. */
export function parseEquation(equation: string): { inputs: Term[]; output: Term } {
  const [lhs, rhs] = equation.replace(/\s/g, '').split('->');
  const inputs = lhs.split(',').map(parseTerm);
  if (rhs !== undefined) return { inputs, output: parseTerm(rhs) };
  const seen = new Map<string, number>();
  for (const t of inputs) for (const l of t.letters) seen.set(l, (seen.get(l) ?? 0) + 1);
  const once = [...seen].filter(([, n]) => n === 1).map(([l]) => l).sort();
  const ellipsis = inputs.some((t) => t.ellipsisAt >= 0) ? ELLIPSIS : '';
  return { inputs, output: parseTerm(ellipsis + once.join('')) };
}

/** Right-aligned numpy broadcast of shapes. */
function broadcastShapes(shapes: number[][]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, k) => {
    const dims = shapes.map((s) => s[s.length - rank + k] ?? 1);
    return Math.max(...dims.filter((d) => d !== 1), 1);
  });
}

/** The dims an operand's ellipsis stands for, from its probe shape. */
function ellipsisDims(ctx: GradContext, name: string, term: Term): number[] {
  if (term.ellipsisAt < 0) return [];
  const shape = ctx.info(name).shape;
  return shape.slice(term.ellipsisAt, shape.length - (term.letters.length - term.ellipsisAt));
}

// Y = einsum(X_0 … X_n). Y is linear in each operand, so its gradient is another einsum:
//   dX_k = einsum(dY, X_{j≠k} → X_k's subscripts),
// valid when every letter of X_k appears in Y or in another operand. A letter only in X_k was summed in
// the forward pass, so its gradient is the same for every value of it: drop it from the einsum, then
// Unsqueeze + Expand back to X_k's shape. Ellipsis dims broadcast across operands, so dX_k is summed
// over the ones X_k lacks or holds at size 1 (as for any broadcast input).
export const einsumGrad: GradRule = (ctx, [dY]) => {
  const equation = attrString(ctx.node, 'equation', '');
  const { inputs, output } = parseEquation(equation);
  const where = `node '${ctx.node.name}' (Einsum '${equation}')`;
  if (inputs.length !== ctx.inputs.length) {
    throw new GradientError(`${where}: the equation names ${inputs.length} operands but the node has ${ctx.inputs.length} inputs`);
  }
  for (const t of inputs) {
    if (new Set(t.letters).size !== t.letters.length) {
      throw new GradientError(`${where}: repeated subscripts within an operand ('${t.text}', a diagonal or trace) have no gradient rule`);
    }
    if (t.ellipsisAt >= 0 && output.ellipsisAt < 0) {
      throw new GradientError(`${where}: an ellipsis summed away in the output has no gradient rule; keep '...' in the output`);
    }
  }
  const allEllipsis = broadcastShapes(inputs.map((t, k) => ellipsisDims(ctx, ctx.inputs[k], t)));
  return inputs.map((_, k) => (ctx.needsGrad(k) ? operandGrad(ctx, dY!, inputs, output, k, allEllipsis) : undefined));
};

function operandGrad(ctx: GradContext, dY: string, inputs: Term[], output: Term, k: number, allEllipsis: number[]): string {
  const term = inputs[k];
  const others = inputs.filter((_, j) => j !== k);
  const elsewhere = new Set([...output.letters, ...others.flatMap((t) => t.letters)]);
  const summedHere = term.letters.filter((l) => !elsewhere.has(l));
  const kept = term.letters.filter((l) => elsewhere.has(l));
  // The gradient's own ellipsis spans every broadcast ellipsis dim (placed first when X_k has none).
  const keptBefore = kept.filter((l) => term.letters.indexOf(l) < term.ellipsisAt);
  const withEllipsis = output.ellipsisAt >= 0;
  const gradTerm = !withEllipsis
    ? kept.join('')
    : term.ellipsisAt < 0
      ? ELLIPSIS + kept.join('')
      : keptBefore.join('') + ELLIPSIS + kept.slice(keptBefore.length).join('');
  const gradEquation = `${[output.text, ...others.map((t) => t.text)].join(',')}->${gradTerm}`;
  let grad = ctx.op('Einsum', [dY, ...ctx.inputs.filter((_, j) => j !== k)], { equation: gradEquation });

  if (withEllipsis) {
    const own = ellipsisDims(ctx, ctx.inputs[k], term);
    const start = term.ellipsisAt < 0 ? 0 : keptBefore.length;
    const extra = allEllipsis.length - own.length;
    const lead = Array.from({ length: extra }, (_, d) => start + d);
    const ones = own.flatMap((d, i) => (d === 1 && allEllipsis[extra + i] !== 1 ? [start + extra + i] : []));
    if (ones.length) grad = ctx.op('ReduceSum', [grad, ctx.int64s(ones)], { keepdims: 1 });
    if (lead.length) grad = ctx.op('ReduceSum', [grad, ctx.int64s(lead)], { keepdims: 0 });
  }
  if (summedHere.length) {
    // Letters after an ellipsis sit at fixed distances from the end of X_k, so address them negatively.
    const axes = summedHere.map((l) => {
      const p = term.letters.indexOf(l);
      return term.ellipsisAt >= 0 && p >= term.ellipsisAt ? p - term.letters.length : p;
    });
    grad = ctx.op('Expand', [ctx.op('Unsqueeze', [grad, ctx.int64s(axes)]), ctx.shapeOf(ctx.inputs[k])]);
  }
  return grad;
}
