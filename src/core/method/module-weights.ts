// Reading a target module's frozen weight as W (d_out×d_in, PEFT orientation) and writing the residual
// W' back into a copy of the model, in the initializer's own layout ('in_out' [d_in, d_out] or 'out_in'
// [d_out, d_in]) and float type. The input model is never modified.
import { Matrix, transpose } from '../linalg/matrix';
import { GraphIndex } from '../lora/graph-index';
import { ResolvedModule } from '../lora/linear-modules';
import { readTensorBytes } from '../onnx/external-data';
import { makeTensor, tensorToFloat32 } from '../onnx/tensor-data';
import { DataType, ModelProto, TensorProto } from '../onnx/types';
import { weightToOutIn } from '../thanora/residual';

function initializerOf(index: GraphIndex, m: ResolvedModule): TensorProto {
  const t = index.initializers.get(m.initializer);
  if (!t) throw new Error(`module '${m.peftName}': weight initializer '${m.initializer}' is not in the model; resolve the targets on this model`);
  const [rows, cols] = t.dims;
  const expected = m.stored === 'in_out' ? [m.dIn, m.dOut] : [m.dOut, m.dIn];
  if (t.dims.length !== 2 || rows !== expected[0] || cols !== expected[1]) {
    throw new Error(`module '${m.peftName}': weight '${t.name}' has dims [${t.dims}], expected [${expected}] (${m.stored}); resolve the targets on this model`);
  }
  return t;
}

// float64 weights keep their precision; every other float type is widened exactly through float32.
function storedValues(t: TensorProto): Float32Array | Float64Array {
  if (t.dataType !== DataType.DOUBLE) return tensorToFloat32(t);
  const raw = readTensorBytes(t);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float64Array.from({ length: raw.byteLength / 8 }, (_, i) => dv.getFloat64(i * 8, true));
}

/** W of each module, d_out×d_in in float64. */
export function moduleWeight(index: GraphIndex, m: ResolvedModule): Matrix {
  const t = initializerOf(index, m);
  return weightToOutIn(storedValues(t), t.dims, m.stored, `module '${m.peftName}' weight '${t.name}'`);
}

// A residual W' changes every reader of the initializer, so the weight must reach only this module's node
// (directly or through single-use Identity/Transpose nodes). A tied weight (embedding = LM head) would not.
function checkExclusiveWeight(index: GraphIndex, m: ResolvedModule): void {
  const fail = (who: string) => {
    throw new Error(
      `module '${m.peftName}': weight '${m.initializer}' is also read by ${who}; a residual W' = W − s·B₀A₀ would change that reader too (a tied weight). ` +
        `Leave this module out of lora.targets, or use method 'lora' (no residual)`,
    );
  };
  let value = m.initializer;
  for (let hops = 0; hops < 16; hops++) {
    const users = index.consumers.get(value) ?? [];
    if (index.graphOutputs.has(value)) fail('a graph output');
    if (users.length !== 1) {
      const other = users.find((n) => n.outputs[0] !== m.output && n.opType !== 'Identity' && n.opType !== 'Transpose') ?? users[0];
      fail(other ? `node '${other.name}' (${other.opType})` : 'no node');
    }
    const user = users[0];
    if (user.outputs[0] === m.output) return;
    if (user.opType !== 'Identity' && user.opType !== 'Transpose') fail(`node '${user.name}' (${user.opType})`);
    value = user.outputs[0];
  }
}

/** W' (d_out×d_in) as a replacement for the module's initializer, in its layout and float type. */
export function residualTensor(index: GraphIndex, m: ResolvedModule, w: Matrix): TensorProto {
  checkExclusiveWeight(index, m);
  const old = initializerOf(index, m);
  if (w.rows !== m.dOut || w.cols !== m.dIn) throw new Error(`module '${m.peftName}': residual is ${w.rows}×${w.cols}, W is ${m.dOut}×${m.dIn} (out×in)`);
  const stored = m.stored === 'out_in' ? w : transpose(w);
  const { external: _external, raw: _raw, ...rest } = old;
  return { ...rest, raw: makeTensor(old.name, old.dims, old.dataType, stored.data).raw };
}

/** A copy of `model` with the given initializers replaced (by name); the others are shared with the input. */
export function withInitializers(model: ModelProto, replaced: ReadonlyMap<string, TensorProto>): ModelProto {
  const initializers = model.graph.initializers.map((t) => replaced.get(t.name) ?? t);
  return { ...model, graph: { ...model.graph, initializers } };
}
