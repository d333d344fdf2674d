// PEFT's modules_to_save: whole modules (the classification head of a SEQ_CLS adapter) trained as full copies
// and saved in the adapter as `<module>.weight` / `<module>.bias` in PyTorch's layout (weight [d_out, d_in]).
// They replace the base initializers of that module: the weight, transposed where the ONNX graph holds it
// [d_in, d_out], and the bias as it is.
import type { SafeTensor } from '../io/safetensors';
import { floatsToBytes } from '../onnx/tensor-data';
import { DataType, ModelProto, TensorProto, dataTypeName } from '../onnx/types';
import { indexGraph } from './graph-index';
import { findLinearModules } from './linear-modules';

export class ModulesToSaveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One saved tensor resolved to the base initializer it replaces. */
export interface SavedTensor {
  /** The adapter's key, e.g. `base_model.model.classifier.weight`. */
  key: string;
  module: string;
  param: 'weight' | 'bias';
  initializer: string;
  /** The values in the initializer's own element order (weights transposed where stored [d_in, d_out]). */
  stored: Float32Array;
  dataType: DataType;
}

const REPLACEABLE: ReadonlySet<DataType> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

/** `saved` is keyed by `<module>.<weight|bias>` (as PeftAdapter.modulesToSave); `keyOf` names the file's key. */
export function resolveModulesToSave(
  model: ModelProto,
  saved: ReadonlyMap<string, { key: string; tensor: SafeTensor }>,
  where: string,
): SavedTensor[] {
  if (saved.size === 0) return [];
  const index = indexGraph(model.graph);
  const linear = new Map(findLinearModules(index).map((m) => [m.peftName, m]));
  const out: SavedTensor[] = [];
  for (const [name, { key, tensor }] of saved) {
    const dot = name.lastIndexOf('.');
    const module = name.slice(0, dot);
    const param = name.slice(dot + 1) as 'weight' | 'bias';
    const m = linear.get(module);
    if (!m) {
      const names = [...linear.keys()].filter((n) => linear.get(n)!.isOutputHead);
      throw new ModulesToSaveError(
        `${where}: '${key}' is a modules_to_save tensor of module '${module}', which is not a linear module of the model (heads found: ${names.join(', ') || 'none'}); is the adapter for this base model?`,
      );
    }
    const initializer = param === 'weight' ? m.initializer : m.biasName;
    if (!initializer) throw new ModulesToSaveError(`${where}: '${key}' is a bias, but module '${module}' of the model has no bias`);
    const t = index.initializers.get(initializer);
    if (!t) throw new ModulesToSaveError(`${where}: '${key}': the ${param} of module '${module}' ('${initializer}') is computed in the graph, not stored; it cannot be replaced`);
    const expected = param === 'weight' ? [m.dOut, m.dIn] : [m.dOut];
    if (tensor.shape.length !== expected.length || tensor.shape.some((d, i) => d !== expected[i])) {
      throw new ModulesToSaveError(`${where}: '${key}' has shape [${tensor.shape}], but the model's ${param} of module '${module}' is [${expected}]; the adapter was trained for another head size`);
    }
    if (!REPLACEABLE.has(t.dataType)) throw new ModulesToSaveError(`${where}: '${key}': initializer '${initializer}' is ${dataTypeName(t.dataType)}; only float initializers can be replaced`);
    const values = Float32Array.from(tensor.data as ArrayLike<number>);
    out.push({ key, module, param, initializer, stored: param === 'weight' && m.stored === 'in_out' ? transpose(values, m.dOut, m.dIn) : values, dataType: t.dataType });
  }
  return out;
}

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(v.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
  return t;
}

/** The saved values encoded as the initializer's bytes. */
export function savedBytes(s: SavedTensor): Uint8Array {
  return floatsToBytes(s.stored, s.dataType);
}

/** Replaces the initializers in `model` (in memory) by the saved values. */
export function applyModulesToSave(model: ModelProto, saved: readonly SavedTensor[]): void {
  const byName = new Map<string, TensorProto>(model.graph.initializers.map((t) => [t.name, t]));
  for (const s of saved) {
    const t = byName.get(s.initializer)!;
    t.raw = savedBytes(s);
    delete t.external;
  }
}
