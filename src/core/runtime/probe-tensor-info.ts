// Types and shapes of every tensor of a graph, read off one real forward run: every node output is
// exposed as a graph output and ONNX Runtime reports what it computed. This stands in for a full
// shape-inference engine and is exact for the probe batch. Dynamic dims of the probe batch must not be 1,
// or a broadcast could not be told apart from a matching dim (see GradContext.unbroadcast).
import * as ort from 'onnxruntime-node';
import { TensorInfo } from '../autodiff/grad-context';
import { ModelProto } from '../onnx/types';
import { dataTypeOfOrt } from './ort-tensors';
import { openModelSession } from './model-session';

/** Integer tensors up to this size keep their values (axes, shapes, indices computed in the graph). */
const SMALL_INT_TENSOR = 64;

export async function probeTensorInfo(
  model: ModelProto,
  feeds: Record<string, ort.Tensor>,
): Promise<Map<string, TensorInfo>> {
  const infos = new Map<string, TensorInfo>();
  const g = model.graph;
  for (const t of g.initializers) infos.set(t.name, { dtype: t.dataType, shape: [...t.dims] });
  for (const [name, t] of Object.entries(feeds)) infos.set(name, { dtype: dataTypeOfOrt(t.type), shape: [...t.dims] });
  const existing = new Set(g.outputs.map((o) => o.name));
  const extra = g.nodes.flatMap((n) => n.outputs).filter((o) => o && !existing.has(o) && !infos.has(o));
  const probeModel: ModelProto = {
    ...model,
    graph: {
      ...g,
      outputs: [...g.outputs, ...extra.map((name) => ({ name }))],
      valueInfo: [],
    },
  };
  // Outputs without a declared type are allowed by ONNX Runtime only when it can infer them; give them none.
  const { session } = await openModelSession(probeModel, { device: 'cpu', optimization: 'disabled' });
  try {
    const inputFeeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      if (!feeds[name]) throw new Error(`probe: no value for graph input '${name}'`);
      inputFeeds[name] = feeds[name];
    }
    const results = await session.run(inputFeeds);
    for (const [name, t] of Object.entries(results)) {
      const info: TensorInfo = { dtype: dataTypeOfOrt(t.type), shape: [...t.dims] };
      if ((t.type === 'int64' || t.type === 'int32') && t.size <= SMALL_INT_TENSOR) {
        info.values = Array.from(t.data as BigInt64Array | Int32Array, Number);
      }
      infos.set(name, info);
    }
  } finally {
    await session.release();
  }
  return infos;
}
