// Adds LoRA adapters to a frozen graph: every target y = x·W becomes y = x·W + s·(x·Aᵀ)·Bᵀ with A [r, d_in]
// and B [d_out, r] as new graph inputs in PEFT layout and s = alpha/r. The frozen weights stay initializers;
// consumers of y (and a graph output named y) read the sum because the sum takes over the name y.
import { makeNode } from '../onnx/attributes';
import { isFloatType, makeTensor } from '../onnx/tensor-data';
import { DataType, ModelProto, NodeProto, TensorProto, ValueInfo, dataTypeName } from '../onnx/types';
import { ResolvedModule } from './linear-modules';
import { loraInputNames } from './peft-names';

export interface InjectOptions {
  /** LoRA rank: one for all modules, or per PEFT name (every module needs an entry). */
  rank: number | Readonly<Record<string, number>>;
  /** LoRA alpha: one for all modules, or per PEFT name; the update is scaled by alpha / rank. */
  alpha: number | Readonly<Record<string, number>>;
  /** dtype of the A and B graph inputs (default: the module's weight dtype); they are Cast to the weight's dtype. */
  dtype?: DataType;
}

export interface InjectedAdapter {
  peftName: string;
  aInput: string;
  bInput: string;
  /** [r, d_in] */
  shapeA: [number, number];
  /** [d_out, r] */
  shapeB: [number, number];
  rank: number;
  scale: number;
  dtype: DataType;
}

export interface InjectedModel {
  model: ModelProto;
  adapters: InjectedAdapter[];
}

export class LoraInjectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoraInjectionError';
  }
}

function perModule(value: number | Readonly<Record<string, number>>, peftName: string, what: string): number {
  const v = typeof value === 'number' ? value : value[peftName];
  if (v === undefined) throw new LoraInjectionError(`no LoRA ${what} given for module '${peftName}'; add it to the per-module ${what} map`);
  return v;
}

interface Emitted {
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfo[];
  adapter: InjectedAdapter;
}

// The nodes that replace one linear node. For a MatMul, x is [..., d_in]:
//   h = x·Aᵀ (..., r) is cheap because r ≪ d_in, d_out;  Δ = s·h·Bᵀ (..., d_out);  y = y_base + Δ.
// For a Gemm (2-D x, transA=0 as linear-modules.ts requires) the transposes fold into transB=1 and s into
// the second Gemm's alpha.
function emitAdapter(node: NodeProto, m: ResolvedModule, options: InjectOptions): Emitted {
  const rank = perModule(options.rank, m.peftName, 'rank');
  const alpha = perModule(options.alpha, m.peftName, 'alpha');
  if (!Number.isInteger(rank) || rank < 1) {
    throw new LoraInjectionError(`LoRA rank for '${m.peftName}' is ${rank}; it must be a positive integer (at most min(d_in, d_out) = ${Math.min(m.dIn, m.dOut)} to be useful)`);
  }
  const scale = alpha / rank;
  const adapterDtype = options.dtype ?? m.dtype;
  if (!isFloatType(adapterDtype)) {
    throw new LoraInjectionError(`adapter dtype ${dataTypeName(adapterDtype)} for '${m.peftName}' is not a float type; use FLOAT, FLOAT16, BFLOAT16 or DOUBLE`);
  }
  const { aInput, bInput } = loraInputNames(m.peftName);
  const p = `${m.peftName}.lora`;
  const x = node.inputs[0];
  const y = node.outputs[0];
  const yBase = `${p}/base_output`;
  const nodes: NodeProto[] = [{ ...node, outputs: [yBase, ...node.outputs.slice(1)] }];
  const initializers: TensorProto[] = [];

  let a = aInput;
  let b = bInput;
  if (adapterDtype !== m.dtype) {
    a = `${p}/A_cast`;
    b = `${p}/B_cast`;
    nodes.push(makeNode('Cast', [aInput], [a], `${p}/Cast_A`, { to: m.dtype }));
    nodes.push(makeNode('Cast', [bInput], [b], `${p}/Cast_B`, { to: m.dtype }));
  }
  const delta = `${p}/delta`;
  if (m.op === 'Gemm') {
    nodes.push(makeNode('Gemm', [x, a], [`${p}/xAt`], `${p}/Gemm_A`, { transB: 1 }));
    nodes.push(makeNode('Gemm', [`${p}/xAt`, b], [delta], `${p}/Gemm_B`, { transB: 1, alpha: { float: scale } }));
  } else {
    const scaleName = `${p}/scale`;
    initializers.push(makeTensor(scaleName, [], m.dtype, [scale]));
    nodes.push(makeNode('Transpose', [a], [`${p}/At`], `${p}/Transpose_A`, { perm: [1, 0] }));
    nodes.push(makeNode('MatMul', [x, `${p}/At`], [`${p}/xAt`], `${p}/MatMul_A`));
    nodes.push(makeNode('Transpose', [b], [`${p}/Bt`], `${p}/Transpose_B`, { perm: [1, 0] }));
    nodes.push(makeNode('MatMul', [`${p}/xAt`, `${p}/Bt`], [`${p}/xAtBt`], `${p}/MatMul_B`));
    nodes.push(makeNode('Mul', [`${p}/xAtBt`, scaleName], [delta], `${p}/Mul_scale`));
  }
  nodes.push(makeNode('Add', [yBase, delta], [y], `${p}/Add`));

  const inputInfo = (name: string, dims: number[]): ValueInfo => ({ name, elemType: adapterDtype, shape: dims.map((value) => ({ value })) });
  return {
    nodes,
    initializers,
    inputs: [inputInfo(aInput, [rank, m.dIn]), inputInfo(bInput, [m.dOut, rank])],
    adapter: { peftName: m.peftName, aInput, bInput, shapeA: [rank, m.dIn], shapeB: [m.dOut, rank], rank, scale, dtype: adapterDtype },
  };
}

function takenNames(model: ModelProto): Set<string> {
  const g = model.graph;
  const names = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name)]);
  for (const n of g.nodes) for (const o of n.outputs) names.add(o);
  return names;
}

/**
 * A copy of `model` with adapters on `modules`. The input model is not modified; the copy shares its
 * (read-only) initializer tensors. Nodes are inserted right after the node they adapt, so node order stays
 * topological.
 */
export function injectLora(model: ModelProto, modules: readonly ResolvedModule[], options: InjectOptions): InjectedModel {
  const g = model.graph;
  const byOutput = new Map(modules.map((m) => [m.output, m]));
  if (byOutput.size !== modules.length) throw new LoraInjectionError('the same linear node is listed twice in the modules to adapt');
  const taken = takenNames(model);
  const replacements = new Map<string, Emitted>();
  for (const node of g.nodes) {
    const m = byOutput.get(node.outputs[0]);
    if (!m) continue;
    if (node.opType !== m.op) {
      throw new LoraInjectionError(`node '${node.name}' (output '${m.output}') is a ${node.opType}, the resolved module '${m.peftName}' says ${m.op}; resolve the targets on this model`);
    }
    const emitted = emitAdapter(node, m, options);
    for (const v of emitted.inputs) {
      if (taken.has(v.name)) throw new LoraInjectionError(`graph already has a value named '${v.name}'; the model already carries a LoRA adapter for '${m.peftName}'`);
    }
    replacements.set(node.outputs[0], emitted);
  }
  const missing = modules.filter((m) => !replacements.has(m.output));
  if (missing.length > 0) {
    throw new LoraInjectionError(`no node produces ${missing.map((m) => `'${m.output}' (module '${m.peftName}')`).join(', ')}; resolve the targets on this model`);
  }
  const nodes = g.nodes.flatMap((n) => replacements.get(n.outputs[0])?.nodes ?? [n]);
  const emitted = modules.map((m) => replacements.get(m.output)!);
  return {
    model: {
      ...model,
      graph: {
        ...g,
        nodes,
        inputs: [...g.inputs, ...emitted.flatMap((e) => e.inputs)],
        initializers: [...g.initializers, ...emitted.flatMap((e) => e.initializers)],
      },
    },
    adapters: emitted.map((e) => e.adapter),
  };
}
