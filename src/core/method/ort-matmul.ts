// The heavy products of the randomized SVDs (W·(C·X), Wᵀ·Y, d×d by d×l) in ONNX Runtime: one float64
// MatMul session with symbolic shapes, opened on first use and reused for every product (design §1 step 3:
// "heavy products in ONNX Runtime; only small k×k factorizations in JavaScript").
import * as ort from 'onnxruntime-node';
import { Matrix } from '../linalg/matrix';
import { MatmulFn } from '../linalg/randomized-svd';
import { makeNode } from '../onnx/attributes';
import { encodeModel } from '../onnx/model-codec';
import { DataType, ModelProto } from '../onnx/types';
import { OpenedSession, SessionOptions, openSession } from '../runtime/session';

export interface OrtMatmul {
  matmul: MatmulFn;
  release(): Promise<void>;
}

function matmulModel(): ModelProto {
  const info = (name: string, rows: string, cols: string) => ({ name, elemType: DataType.DOUBLE, shape: [{ param: rows }, { param: cols }] });
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'matmul',
      nodes: [makeNode('MatMul', ['a', 'b'], ['c'], 'MatMul')],
      initializers: [],
      inputs: [info('a', 'm', 'k'), info('b', 'k', 'n')],
      outputs: [info('c', 'm', 'n')],
      valueInfo: [],
    },
    metadata: [],
  };
}

export function ortMatmul(options: SessionOptions = {}): OrtMatmul {
  let opened: Promise<OpenedSession> | undefined;
  const matmul: MatmulFn = async (a: Matrix, b: Matrix): Promise<Matrix> => {
    if (a.cols !== b.rows) throw new Error(`ortMatmul: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}: inner dimensions differ`);
    opened ??= openSession(encodeModel(matmulModel()), { ...options, optimization: 'basic' });
    const { session } = await opened;
    const out = await session.run({ a: new ort.Tensor('float64', a.data, [a.rows, a.cols]), b: new ort.Tensor('float64', b.data, [b.rows, b.cols]) });
    return { rows: a.rows, cols: b.cols, data: Float64Array.from(out.c.data as Float64Array) };
  };
  return {
    matmul,
    release: async () => {
      if (opened) await (await opened).session.release();
      opened = undefined;
    },
  };
}
