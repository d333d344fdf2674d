// Reverse-mode autodiff over an ONNX graph: appends backward nodes to the forward graph so that one
// session run yields the loss and the gradient of every trainable tensor. Only nodes on a path from a
// trainable tensor to the loss get a backward node; frozen initializers stay where they are.
import { isFloatType, makeTensor, tensorToNumbers } from '../onnx/tensor-data';
import { DataType, Graph, ModelProto, NodeProto, TensorProto, ValueInfo } from '../onnx/types';
import { GradContext, GradientError, GraphEmitter, TensorInfo } from './grad-context';
import { gradientRules, noGradientOps } from './rules';

export interface GradientGraphRequest {
  model: ModelProto;
  /** Scalar loss tensor produced by the graph. */
  loss: string;
  /** Graph inputs or initializers to differentiate with respect to. */
  trainable: string[];
  /** Extra tensors to expose as outputs (per-task losses, logits…). */
  extraOutputs?: string[];
  /** Types and probe shapes of every tensor (see probeTensorInfo). */
  infos: ReadonlyMap<string, TensorInfo>;
}

export interface GradientGraph {
  model: ModelProto;
  /** trainable tensor name -> output name of its gradient. */
  gradOutputs: Map<string, string>;
}

export function gradName(tensor: string): string {
  return `${tensor}_grad`;
}

function opsetOf(model: ModelProto): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

function valueInfo(name: string, info: TensorInfo | undefined): ValueInfo {
  return { name, elemType: info?.dtype ?? DataType.FLOAT, shape: info?.shape.map(() => ({})) };
}

/** Why `tensor` depends on a trainable: the chain trainable -> node -> … -> tensor, for error messages. */
function describePath(tensor: string, cause: Map<string, { node: NodeProto; from: string }>): string {
  const parts: string[] = [];
  let t: string | undefined = tensor;
  for (let guard = 0; t && guard < 64; guard++) {
    const c = cause.get(t);
    if (!c) {
      parts.unshift(t);
      break;
    }
    parts.unshift(`${c.node.opType} '${c.node.name}'`);
    t = c.from;
  }
  return parts.join(' -> ');
}

/**
 * Small integer constants of the graph (axes, shapes, pads): initializers, Constant nodes, and tensors
 * computed only from those (e.g. Unsqueeze(Constant) in unfolded exports), whose probe values are then exact;
 * and float scalars given as initializers or Constant nodes (exponents, scales), which rules may specialise on.
 */
function collectSmallConstants(g: Graph, infos: ReadonlyMap<string, TensorInfo>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const initializers = new Set(g.initializers.map((t) => t.name));
  const varying = new Set(g.inputs.map((v) => v.name).filter((n) => !initializers.has(n)));
  for (const n of g.nodes) {
    const random = n.opType.startsWith('Random') || n.opType === 'Multinomial' || n.opType === 'Bernoulli';
    if (random || n.inputs.some((i) => i && varying.has(i))) for (const o of n.outputs) varying.add(o);
  }
  for (const [name, info] of infos) {
    if (info.values && !varying.has(name)) out.set(name, info.values);
  }
  const take = (name: string, t: TensorProto | undefined) => {
    if (!t || (!t.raw && !t.external)) return;
    const count = t.dims.reduce((a, b) => a * b, 1);
    const integer = t.dataType === DataType.INT64 || t.dataType === DataType.INT32;
    if ((integer && count <= 64) || (isFloatType(t.dataType) && count === 1)) out.set(name, tensorToNumbers(t));
  };
  for (const t of g.initializers) take(t.name, t);
  for (const n of g.nodes) {
    if (n.opType !== 'Constant') continue;
    const value = n.attributes.find((a) => a.name === 'value');
    const ints = n.attributes.find((a) => a.name === 'value_ints' || a.name === 'value_int');
    const float = n.attributes.find((a) => a.name === 'value_float');
    if (value?.t) take(n.outputs[0], value.t);
    else if (float) out.set(n.outputs[0], [float.f ?? 0]);
    else if (ints) out.set(n.outputs[0], ints.ints ?? [ints.i ?? 0]);
  }
  return out;
}

export function buildGradientGraph(req: GradientGraphRequest): GradientGraph {
  const { model, loss, trainable, infos } = req;
  const g = model.graph;
  const opset = opsetOf(model);
  const known = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name)]);
  for (const t of trainable) {
    if (!known.has(t)) throw new GradientError(`trainable tensor '${t}' is neither a graph input nor an initializer`);
  }

  // Forward sweep: which tensors depend on a trainable tensor through float values.
  const requires = new Set<string>(trainable);
  const cause = new Map<string, { node: NodeProto; from: string }>();
  for (const node of g.nodes) {
    const from = node.inputs.find((i) => i && requires.has(i));
    if (from === undefined) continue;
    for (const o of node.outputs) {
      if (o && isFloatType(infos.get(o)?.dtype)) {
        requires.add(o);
        cause.set(o, { node, from });
      }
    }
  }
  if (!requires.has(loss)) {
    throw new GradientError(`the loss '${loss}' does not depend on any trainable tensor (${trainable.slice(0, 3).join(', ')}…)`);
  }

  // Backward sweep: nodes on a path to the loss.
  const reachesLoss = new Set<string>([loss]);
  const active: NodeProto[] = [];
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const node = g.nodes[k];
    if (!node.outputs.some((o) => reachesLoss.has(o))) continue;
    if (!node.inputs.some((i) => i && requires.has(i))) continue;
    active.push(node);
    for (const i of node.inputs) if (i && requires.has(i)) reachesLoss.add(i);
  }

  const constants = collectSmallConstants(g, infos);
  const taken: string[] = [...known];
  for (const n of g.nodes) taken.push(n.name, ...n.outputs);
  const emitter = new GraphEmitter(taken);
  const pending = new Map<string, string[]>();
  const addGrad = (tensor: string, grad: string) => {
    const list = pending.get(tensor);
    if (list) list.push(grad);
    else pending.set(tensor, [grad]);
  };
  const takeGrad = (tensor: string): string | undefined => {
    const list = pending.get(tensor);
    if (!list) return undefined;
    if (list.length === 1) return list[0];
    const summed = emitter.emit(`${tensor}_Grad`, 'Sum', list)[0];
    pending.set(tensor, [summed]);
    return summed;
  };

  const lossInfo = infos.get(loss);
  const seedName = emitter.uniqueName(`${loss}_Grad/seed`);
  emitter.initializers.push(makeTensor(seedName, [], lossInfo?.dtype ?? DataType.FLOAT, [1]));
  addGrad(loss, seedName);

  for (const node of active) {
    const standard = !node.domain || node.domain === 'ai.onnx' || node.domain === 'com.microsoft';
    const rule = gradientRules.get(standard ? node.opType : `${node.domain}:${node.opType}`);
    if (!standard && !rule) {
      throw new GradientError(`node '${node.name}' uses op ${node.domain}.${node.opType}, which has no gradient rule`);
    }
    const path = () => describePath(node.outputs[0], cause);
    if (!rule) {
      const why = noGradientOps.has(node.opType) ? 'is not differentiable' : 'has no gradient rule yet';
      throw new GradientError(
        `op ${node.opType} (node '${node.name}') ${why} but lies on the gradient path ${path()} -> … -> loss. ` +
          `Choose target modules that do not route through it, or file an issue with the model attached.`,
      );
    }
    const dY = node.outputs.map((o) => (o ? takeGrad(o) : undefined));
    if (dY.every((d) => d === undefined)) continue;
    const needs = node.inputs.map((i) => !!i && requires.has(i) && reachesLoss.has(i));
    const ctx = new GradContext(node, opset, emitter, infos, needs, constants);
    let dX: (string | undefined)[];
    try {
      dX = rule(ctx, dY);
    } catch (e) {
      if (e instanceof GradientError) throw e;
      throw new GradientError(`gradient of ${node.opType} node '${node.name}' failed: ${(e as Error).message}`);
    }
    node.inputs.forEach((input, k) => {
      if (needs[k] && dX[k]) addGrad(input, dX[k]!);
    });
  }

  const gradOutputs = new Map<string, string>();
  const extraNodes: NodeProto[] = [];
  for (const t of trainable) {
    const out = gradName(t);
    const grad = takeGrad(t);
    const source = grad ?? emitter.emit(`${t}_Grad`, 'Mul', [t, emitter.constant([], infos.get(t)?.dtype ?? DataType.FLOAT, [0])])[0];
    extraNodes.push({ name: `${t}_Grad/output`, opType: 'Identity', domain: '', inputs: [source], outputs: [out], attributes: [] });
    gradOutputs.set(t, out);
  }

  const outputs: ValueInfo[] = [loss, ...(req.extraOutputs ?? [])].map((o) => valueInfo(o, infos.get(o)));
  for (const t of trainable) outputs.push(valueInfo(gradName(t), infos.get(t)));
  const graph: Graph = {
    ...g,
    nodes: [...g.nodes, ...emitter.nodes, ...extraNodes],
    initializers: [...g.initializers, ...emitter.initializers],
    outputs,
    valueInfo: [],
  };
  return { model: { ...model, graph }, gradOutputs };
}
