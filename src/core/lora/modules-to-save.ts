// PEFT's modules_to_save: whole modules (the classification head of a SEQ_CLS adapter) trained as full copies
// and saved in the adapter as `<module>.weight` / `<module>.bias` in PyTorch's layout (weight [d_out, d_in]).
// They replace the base initializers of that module: the weight, transposed where the ONNX graph holds it
// [d_in, d_out], and the bias as it is. The engine keeps their values in PyTorch's layout, like lora_A/lora_B.
import type { SafeTensor } from '../io/safetensors';
import { floatsToBytes, tensorToFloat32 } from '../onnx/tensor-data';
import { DataType, ModelProto, dataTypeName } from '../onnx/types';
import { GraphIndex, indexGraph } from './graph-index';
import { LinearModule, findLinearModules } from './linear-modules';

export class ModulesToSaveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One parameter of a saved module and the base initializer that holds it. */
export interface SavedParam {
  module: string;
  param: 'weight' | 'bias';
  /** `<module>.<param>`: the graph input while training and the adapter key after `base_model.model.`. */
  input: string;
  initializer: string;
  /** PyTorch's shape: weight [d_out, d_in], bias [d_out]. */
  shape: number[];
  /** The initializer holds the weight as [d_in, d_out] (the transpose of PyTorch's). */
  transposed: boolean;
  dataType: DataType;
}

/** A saved parameter with values (PyTorch layout, float32) and the adapter key they came from. */
export interface SavedTensor extends SavedParam {
  key: string;
  values: Float32Array;
}

const REPLACEABLE: ReadonlySet<DataType> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

function linearByName(index: GraphIndex): Map<string, LinearModule> {
  return new Map(findLinearModules(index).map((m) => [m.peftName, m]));
}

/** The initializer of `<module>.<param>`; `key` names it in errors (the adapter key or the experiment entry). */
function resolveParam(index: GraphIndex, linear: ReadonlyMap<string, LinearModule>, module: string, param: 'weight' | 'bias', key: string, where: string): SavedParam {
  const m = linear.get(module);
  if (!m) {
    const heads = [...linear.values()].filter((l) => l.isOutputHead).map((l) => l.peftName);
    throw new ModulesToSaveError(
      `${where}: '${key}' is a modules_to_save tensor of module '${module}', which is not a linear module of the model (heads found: ${heads.join(', ') || 'none'}); is the adapter for this base model?`,
    );
  }
  const initializer = param === 'weight' ? m.initializer : m.biasName;
  if (!initializer) throw new ModulesToSaveError(`${where}: '${key}' is a bias, but module '${module}' of the model has no bias`);
  const t = index.initializers.get(initializer);
  if (!t) throw new ModulesToSaveError(`${where}: '${key}': the ${param} of module '${module}' ('${initializer}') is computed in the graph, not stored; it cannot be replaced`);
  if (!REPLACEABLE.has(t.dataType)) throw new ModulesToSaveError(`${where}: '${key}': initializer '${initializer}' is ${dataTypeName(t.dataType)}; only float initializers can be replaced`);
  const shape = param === 'weight' ? [m.dOut, m.dIn] : [m.dOut];
  return { module, param, input: `${module}.${param}`, initializer, shape, transposed: param === 'weight' && m.stored === 'in_out', dataType: t.dataType };
}

/** The weight and (where the model has one) the bias of each saved module, for training them. */
export function savedParamsOf(model: ModelProto, modules: readonly string[], where: string): SavedParam[] {
  if (modules.length === 0) return [];
  const index = indexGraph(model.graph);
  const linear = linearByName(index);
  return modules.flatMap((module) => {
    const weight = resolveParam(index, linear, module, 'weight', module, where);
    return linear.get(module)!.biasName ? [weight, resolveParam(index, linear, module, 'bias', module, where)] : [weight];
  });
}

/** `saved` is keyed by `<module>.<weight|bias>` (as PeftAdapter.modulesToSave), each with the file's key. */
export function resolveModulesToSave(model: ModelProto, saved: ReadonlyMap<string, { key: string; tensor: SafeTensor }>, where: string): SavedTensor[] {
  if (saved.size === 0) return [];
  const index = indexGraph(model.graph);
  const linear = linearByName(index);
  const out: SavedTensor[] = [];
  for (const [name, { key, tensor }] of saved) {
    const dot = name.lastIndexOf('.');
    const p = resolveParam(index, linear, name.slice(0, dot), name.slice(dot + 1) as 'weight' | 'bias', key, where);
    if (tensor.shape.length !== p.shape.length || tensor.shape.some((d, i) => d !== p.shape[i])) {
      throw new ModulesToSaveError(`${where}: '${key}' has shape [${tensor.shape}], but the model's ${p.param} of module '${p.module}' is [${p.shape}]; the adapter was trained for another head size`);
    }
    out.push({ ...p, key, values: Float32Array.from(tensor.data as ArrayLike<number>) });
  }
  return out;
}

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(v.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
  return t;
}

/** The base model's values of a saved parameter, in PyTorch's layout (float32): where training starts, as in PEFT. */
export function baseValues(model: ModelProto, p: SavedParam): Float32Array {
  const t = model.graph.initializers.find((x) => x.name === p.initializer);
  if (!t) throw new ModulesToSaveError(`initializer '${p.initializer}' of '${p.input}' is not in the model`);
  const stored = tensorToFloat32(t);
  return p.transposed ? transpose(stored, p.shape[1], p.shape[0]) : stored;
}

/** The saved values encoded as the initializer's bytes (its layout and float type). */
export function savedBytes(s: SavedTensor): Uint8Array {
  return floatsToBytes(s.transposed ? transpose(s.values, s.shape[0], s.shape[1]) : s.values, s.dataType);
}
