// Finite-difference oracle for gradient rules: builds a graph around one op, L = Σ_k ⟨Y_k, R_k⟩ with fixed
// random R_k, differentiates it with buildGradientGraph and compares every gradient element with the
// central difference (L(x + εe) − L(x − εe)) / 2ε computed by ONNX Runtime on the forward graph.
import * as assert from 'assert';
import * as ort from 'onnxruntime-node';
import { buildGradientGraph } from '../../src/core/autodiff/build-gradient-graph';
import { AttrValue, makeNode } from '../../src/core/onnx/attributes';
import { encodeModel } from '../../src/core/onnx/model-codec';
import { makeTensor } from '../../src/core/onnx/tensor-data';
import { DataType, ModelProto, NodeProto, TensorProto } from '../../src/core/onnx/types';
import { probeTensorInfo } from '../../src/core/runtime/probe-tensor-info';
import { seededRng } from '../../src/core/linalg/random';

export type FloatKind = 'double' | 'float';

export interface CheckInput {
  shape: number[];
  /** Default: the case's float kind. */
  dtype?: FloatKind | 'int64' | 'int32' | 'bool';
  /** Fixed values (else random normal, or random positive with `positive`). */
  values?: number[];
  positive?: boolean;
  /** Check the gradient of this input (default: true for float inputs without fixed values). */
  grad?: boolean;
  /** Store as an initializer instead of a graph input (axes, shapes, frozen weights). */
  constant?: boolean;
  /** Leave this optional input empty (''). */
  omitted?: boolean;
}

export interface GradCheckCase {
  op: string;
  inputs: CheckInput[];
  attrs?: Record<string, AttrValue | undefined>;
  outputs?: number;
  kind?: FloatKind;
  opset?: number;
  domain?: string;
  /** Relative tolerance on max|analytic − numeric| / max|numeric| (default 1e-6 double, 2e-2 float). */
  tol?: number;
  eps?: number;
  seed?: number;
  /** Extra nodes after the op (e.g. to pass outputs through another op). */
  extraNodes?: NodeProto[];
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

const dtypeOf = (k: string): DataType =>
  ({ double: DataType.DOUBLE, float: DataType.FLOAT, int64: DataType.INT64, int32: DataType.INT32, bool: DataType.BOOL })[k]!;

function ortTensor(kind: string, values: number[], dims: number[]): ort.Tensor {
  switch (kind) {
    case 'double':
      return new ort.Tensor('float64', Float64Array.from(values), dims);
    case 'float':
      return new ort.Tensor('float32', Float32Array.from(values), dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(values), dims);
    default:
      return new ort.Tensor('bool', Uint8Array.from(values), dims);
  }
}

export interface GradCheckResult {
  maxError: number;
  maxGrad: number;
  checked: number;
  /** Op types of the nodes the gradient rule emitted. */
  backwardOps: string[];
}

export async function gradcheck(c: GradCheckCase): Promise<GradCheckResult> {
  const kind = c.kind ?? 'double';
  const rand = seededRng(c.seed ?? 1234);
  const opset = c.opset ?? 17;
  const eps = c.eps ?? (kind === 'double' ? 1e-6 : 1e-2);
  const tol = c.tol ?? (kind === 'double' ? 1e-6 : 2e-2);

  const feeds: Record<string, ort.Tensor> = {};
  const initializers: TensorProto[] = [];
  const inputNames: string[] = [];
  const values: Record<string, number[]> = {};
  const trainable: string[] = [];
  const graphInputs: { name: string; elemType: DataType; shape: { value: number }[] }[] = [];
  c.inputs.forEach((inp, k) => {
    if (inp.omitted) {
      inputNames.push('');
      return;
    }
    const name = `x${k}`;
    inputNames.push(name);
    const ik = inp.dtype ?? kind;
    const n = inp.shape.reduce((a, b) => a * b, 1);
    const v = inp.values ?? Array.from({ length: n }, () => (inp.positive ? 0.5 + rand() * 1.5 : normal(rand)));
    values[name] = v;
    const isFloat = ik === 'double' || ik === 'float';
    if (inp.grad ?? (isFloat && !inp.values && !inp.constant)) trainable.push(name);
    if (inp.constant) initializers.push(makeTensor(name, inp.shape, dtypeOf(ik), v));
    else {
      feeds[name] = ortTensor(ik, v, inp.shape);
      graphInputs.push({ name, elemType: dtypeOf(ik), shape: inp.shape.map((d) => ({ value: d })) });
    }
  });
  const outNames = Array.from({ length: c.outputs ?? 1 }, (_, k) => `y${k}`);
  const opNode = makeNode(c.op, inputNames, outNames, `test_${c.op}`, c.attrs ?? {}, c.domain ?? '');
  const base: ModelProto = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }, ...(c.domain ? [{ domain: c.domain, version: 1 }] : [])],
    graph: {
      name: 'gradcheck',
      nodes: [opNode, ...(c.extraNodes ?? [])],
      initializers,
      inputs: graphInputs,
      outputs: outNames.map((name) => ({ name })),
      valueInfo: [],
    },
    metadata: [],
  };
  const yInfo = await probeTensorInfo(base, feeds);
  // L = Σ_k ReduceSum(Y_k ⊙ R_k) over the float outputs.
  const lossNodes: NodeProto[] = [];
  const terms: string[] = [];
  for (const y of outNames) {
    const info = yInfo.get(y)!;
    if (info.dtype !== dtypeOf(kind)) continue;
    const n = info.shape.reduce((a, b) => a * b, 1);
    const r = `${y}_weights`;
    initializers.push(makeTensor(r, info.shape, dtypeOf(kind), Array.from({ length: n }, () => normal(rand))));
    lossNodes.push(makeNode('Mul', [y, r], [`${y}_weighted`], `${y}_weight`));
    lossNodes.push(makeNode('ReduceSum', [`${y}_weighted`], [`${y}_term`], `${y}_sum`, { keepdims: 0 }));
    terms.push(`${y}_term`);
  }
  lossNodes.push(makeNode('Sum', terms, ['loss'], 'loss_sum'));
  const lossModel: ModelProto = {
    ...base,
    graph: { ...base.graph, nodes: [...base.graph.nodes, ...lossNodes], outputs: [{ name: 'loss', elemType: dtypeOf(kind), shape: [] }] },
  };
  const infos = await probeTensorInfo(lossModel, feeds);
  const { model: gradModel, gradOutputs } = buildGradientGraph({ model: lossModel, loss: 'loss', trainable, infos });
  const gradSession = await ort.InferenceSession.create(encodeModel(gradModel));
  const lossSession = await ort.InferenceSession.create(encodeModel(lossModel));
  const analytic = await gradSession.run(feeds);
  const lossAt = async (name: string, idx: number, delta: number): Promise<number> => {
    const v = [...values[name]];
    v[idx] += delta;
    const f = { ...feeds, [name]: ortTensor(kind, v, feeds[name].dims as number[]) };
    return Number((await lossSession.run(f)).loss.data[0]);
  };
  let maxError = 0;
  let maxGrad = 0;
  let checked = 0;
  for (const name of trainable) {
    const g = analytic[gradOutputs.get(name)!].data as Float64Array | Float32Array;
    assert.strictEqual(g.length, values[name].length, `gradient of ${name} has ${g.length} elements, input has ${values[name].length}`);
    for (let i = 0; i < g.length; i++) {
      const numeric = ((await lossAt(name, i, eps)) - (await lossAt(name, i, -eps))) / (2 * eps);
      maxError = Math.max(maxError, Math.abs(numeric - g[i]));
      maxGrad = Math.max(maxGrad, Math.abs(numeric));
      checked++;
    }
  }
  await gradSession.release();
  await lossSession.release();
  const rel = maxError / Math.max(maxGrad, 1e-12);
  assert.ok(
    rel <= tol,
    `${c.op}: gradient mismatch, max |analytic − numeric| = ${maxError.toExponential(3)} vs max |numeric| = ${maxGrad.toExponential(3)} (relative ${rel.toExponential(3)} > tol ${tol})`,
  );
  return { maxError, maxGrad, checked, backwardOps: gradModel.graph.nodes.slice(lossModel.graph.nodes.length).map((n) => n.opType) };
}
