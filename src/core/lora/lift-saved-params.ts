// Makes the parameters of saved modules (modules_to_save) trainable: each base initializer becomes a graph input
// `<module>.<param>` in PyTorch's layout, so the gradient graph returns ∂L/∂W in the layout PEFT saves. The value
// the model's nodes read is
//   W_stored = Cast(Transpose(input))   (Transpose where the graph holds [d_in, d_out]; Cast where types differ)
// and its readers are renamed to it (exporters often name the initializer `classifier.weight` already). The new
// nodes are put first so the graph stays topologically sorted.
import { AttrValue, makeNode } from '../onnx/attributes';
import { DataType, ModelProto, NodeProto, ValueInfo } from '../onnx/types';
import { ModulesToSaveError, SavedParam } from './modules-to-save';

/** A copy of `model` in which every parameter of `params` is a graph input of type `dtype`. */
export function liftSavedParams(model: ModelProto, params: readonly SavedParam[], dtype: DataType): ModelProto {
  if (params.length === 0) return model;
  const g = model.graph;
  const lifted = new Map(params.map((p) => [p.initializer, p]));
  if (lifted.size !== params.length) throw new ModulesToSaveError(`two saved parameters share one initializer: ${params.map((p) => p.input).join(', ')}`);
  // Names the new inputs must not take; the lifted initializers' own names are free again.
  const taken = new Set([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name), ...g.nodes.flatMap((n) => n.outputs)].filter((n) => !lifted.has(n)));
  const nodes: NodeProto[] = [];
  const inputs: ValueInfo[] = [];
  const readAs = new Map<string, string>();
  for (const p of params) {
    const t = g.initializers.find((x) => x.name === p.initializer);
    if (!t) throw new ModulesToSaveError(`initializer '${p.initializer}' of '${p.input}' is not in the model`);
    if (taken.has(p.input)) throw new ModulesToSaveError(`the graph already has a value named '${p.input}'; the model already carries a trainable '${p.input}'`);
    inputs.push({ name: p.input, elemType: dtype, shape: p.shape.map((value) => ({ value })) });
    let value = p.input;
    const steps: { op: string; attrs: Record<string, AttrValue> }[] = [];
    if (p.transposed) steps.push({ op: 'Transpose', attrs: { perm: [1, 0] } });
    if (t.dataType !== dtype) steps.push({ op: 'Cast', attrs: { to: t.dataType } });
    for (const step of steps) {
      const out = `${p.input}/${step.op}`;
      nodes.push(makeNode(step.op, [value], [out], out, step.attrs));
      value = out;
    }
    readAs.set(p.initializer, value);
  }
  const rename = (n: NodeProto): NodeProto => (n.inputs.some((i) => readAs.has(i)) ? { ...n, inputs: n.inputs.map((i) => readAs.get(i) ?? i) } : n);
  return {
    ...model,
    graph: {
      ...g,
      nodes: [...nodes, ...g.nodes.map(rename)],
      inputs: [...g.inputs.filter((v) => !lifted.has(v.name)), ...inputs],
      initializers: g.initializers.filter((t) => !lifted.has(t.name)),
    },
  };
}
