import * as assert from 'assert';
import { attrInt, makeNode } from '../../../../src/core/onnx/attributes';
import { decodeModel, decodeTensor, encodeModel } from '../../../../src/core/onnx/model-codec';
import { ProtoReader, ProtoWriter } from '../../../../src/core/onnx/protobuf';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, TensorProto, ValueInfo, dataTypeSize } from '../../../../src/core/onnx/types';
import { runModel, smallModel } from './codec-helpers';

const output = (name: string, elemType: DataType, dims: number[]): ValueInfo => ({ name, elemType, shape: dims.map((value) => ({ value })) });

/** Encode, decode, encode again: what ONNX Runtime gets has been through the codec twice. */
const roundTrip = (bytes: Uint8Array) => encodeModel(decodeModel(bytes, 'round-trip'));

describe('ONNX initializer types and attributes through the codec and ONNX Runtime', () => {
  it('float16, bfloat16, int64, int32, bool, int8, uint8 and double initializers round-trip (Identity / Cast)', async () => {
    const initializers: TensorProto[] = [
      makeTensor('h', [4], DataType.FLOAT16, [1, -2, 0.5, 65504]),
      makeTensor('bf', [3], DataType.BFLOAT16, [1, -2, 0.333984375]),
      makeTensor('i64', [3], DataType.INT64, [2 ** 40 + 1, -3, 0]),
      makeTensor('i32', [2], DataType.INT32, [-(2 ** 31), 7]),
      makeTensor('b', [3], DataType.BOOL, [1, 0, 1]),
      makeTensor('u8', [2], DataType.UINT8, [0, 255]),
      makeTensor('d', [2], DataType.DOUBLE, [Math.PI, -1e300]),
      { name: 'i8', dims: [2], dataType: DataType.INT8, raw: Uint8Array.from([0x80, 0x7f]) },
    ];
    // onnxruntime-node cannot hand bfloat16 tensors to JS, so bf16 is checked through Cast to float.
    const direct = initializers.filter((t) => t.dataType !== DataType.BFLOAT16);
    const nodes = [
      ...direct.map((t) => makeNode('Identity', [t.name], [`${t.name}_out`], `${t.name}_Identity`)),
      makeNode('Cast', ['h'], ['h_float'], 'h_Cast', { to: DataType.FLOAT }),
      makeNode('Cast', ['bf'], ['bf_float'], 'bf_Cast', { to: DataType.FLOAT }),
    ];
    const outputs = [
      ...direct.map((t) => output(`${t.name}_out`, t.dataType, t.dims)),
      output('h_float', DataType.FLOAT, [4]),
      output('bf_float', DataType.FLOAT, [3]),
    ];
    const bytes = encodeModel(smallModel(nodes, initializers, outputs));
    const decoded = decodeModel(bytes, 'typed');
    for (const t of initializers) {
      const back = decoded.graph.initializers.find((x) => x.name === t.name)!;
      assert.strictEqual(back.dataType, t.dataType, t.name);
      assert.deepStrictEqual(Array.from(back.raw!), Array.from(t.raw!), t.name);
    }
    const out = await runModel(roundTrip(bytes), {});
    // Every comparison is exact: the values are representable in their types.
    assert.deepStrictEqual(Array.from(out.h_out.data as Uint16Array), [0x3c00, 0xc000, 0x3800, 0x7bff]);
    assert.deepStrictEqual(Array.from(out.h_float.data as Float32Array), [1, -2, 0.5, 65504]);
    assert.deepStrictEqual(Array.from(out.bf_float.data as Float32Array), [1, -2, 0.333984375]);
    assert.deepStrictEqual(Array.from(out.i64_out.data as BigInt64Array), [2n ** 40n + 1n, -3n, 0n]);
    assert.deepStrictEqual(Array.from(out.i32_out.data as Int32Array), [-(2 ** 31), 7]);
    assert.deepStrictEqual(Array.from(out.b_out.data as Uint8Array), [1, 0, 1]);
    assert.strictEqual(out.b_out.type, 'bool');
    assert.deepStrictEqual(Array.from(out.u8_out.data as Uint8Array), [0, 255]);
    assert.deepStrictEqual(Array.from(out.i8_out.data as Int8Array), [-128, 127]);
    assert.deepStrictEqual(Array.from(out.d_out.data as Float64Array), [Math.PI, -1e300]);
  });

  it('typed fields (float_data, int32_data with float16 bits, int64_data, double_data) become raw bytes', async () => {
    // Tensors as other exporters write them: values in the typed fields instead of raw_data.
    const typedTensor = (name: string, dataType: DataType, dims: number[], fill: (w: ProtoWriter) => void): TensorProto => {
      const w = new ProtoWriter().packedVarints(1, dims).varintField(2, dataType);
      fill(w);
      return decodeTensor(new ProtoReader(w.stringField(8, name).finish()));
    };
    const doubleBytes = new Uint8Array(8);
    new DataView(doubleBytes.buffer).setFloat64(0, Math.E, true);
    const initializers = [
      typedTensor('f', DataType.FLOAT, [2], (w) => w.packedFloats(4, [1.5, -0.25])),
      typedTensor('h', DataType.FLOAT16, [2], (w) => w.packedVarints(5, [0x3c00, 0xc000])),
      typedTensor('i', DataType.INT64, [2], (w) => w.packedVarints(7, [-1, 2 ** 40])),
      typedTensor('d', DataType.DOUBLE, [1], (w) => w.bytesField(10, doubleBytes)),
    ];
    for (const t of initializers) assert.ok(t.raw && t.raw.length === dataTypeSize[t.dataType] * t.dims[0], `${t.name}: raw bytes missing`);
    const nodes = initializers.map((t) => makeNode('Identity', [t.name], [`${t.name}_out`], `${t.name}_Identity`));
    const outputs = initializers.map((t) => output(`${t.name}_out`, t.dataType, t.dims));
    const out = await runModel(roundTrip(encodeModel(smallModel(nodes, initializers, outputs))), {});
    // Exact: the values are representable in their types.
    assert.deepStrictEqual(Array.from(out.f_out.data as Float32Array), [1.5, -0.25]);
    assert.deepStrictEqual(Array.from(out.h_out.data as Uint16Array), [0x3c00, 0xc000]);
    assert.deepStrictEqual(Array.from(out.i_out.data as BigInt64Array), [-1n, 2n ** 40n]);
    assert.deepStrictEqual(Array.from(out.d_out.data as Float64Array), [Math.E]);
  });

  it('a negative int attribute (axis −1) round-trips and ONNX Runtime honours it', async () => {
    const a = makeTensor('a', [2, 3], DataType.FLOAT, [1, 2, 3, 4, 5, 6]);
    const b = makeTensor('b', [2, 1], DataType.FLOAT, [7, 8]);
    const model = smallModel([makeNode('Concat', ['a', 'b'], ['c'], 'concat_last', { axis: -1 })], [a, b], [output('c', DataType.FLOAT, [2, 4])]);
    const bytes = roundTrip(encodeModel(model));
    assert.strictEqual(attrInt(decodeModel(bytes).graph.nodes[0], 'axis'), -1);
    const out = await runModel(bytes, {});
    assert.deepStrictEqual(out.c.dims, [2, 4]);
    assert.deepStrictEqual(Array.from(out.c.data as Float32Array), [1, 2, 3, 7, 4, 5, 6, 8]);
  });

  it('negative ints in an INTS attribute and in int64 initializers round-trip (ReduceMax axes [−1], Reshape to [−1])', async () => {
    const x = makeTensor('x', [2, 3], DataType.FLOAT, [1, 2, 3, 4, 5, 6]);
    const shape = makeTensor('shape', [1], DataType.INT64, [-1]);
    const axes = makeTensor('axes', [1], DataType.INT64, [-1]);
    const nodes = [
      makeNode('Reshape', ['x', 'shape'], ['flat'], 'flatten'),
      makeNode('Unsqueeze', ['flat', 'axes'], ['col'], 'unsqueeze_last'),
      makeNode('ReduceMax', ['x'], ['max'], 'reduce_max', { axes: [-1], keepdims: 0 }),
    ];
    const model = smallModel(nodes, [x, shape, axes], [output('col', DataType.FLOAT, [6, 1]), output('max', DataType.FLOAT, [2])]);
    // Opset 13: ReduceMax still takes axes as an attribute.
    model.opsetImports = [{ domain: '', version: 13 }];
    const bytes = roundTrip(encodeModel(model));
    assert.deepStrictEqual(decodeModel(bytes).graph.nodes[2].attributes.find((t) => t.name === 'axes')!.ints, [-1]);
    const out = await runModel(bytes, {});
    assert.deepStrictEqual(out.col.dims, [6, 1]);
    assert.deepStrictEqual(Array.from(out.max.data as Float32Array), [3, 6]);
  });
});
