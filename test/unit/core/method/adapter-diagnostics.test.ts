// Diagnostics on hand-built adapters. Tolerances: angles of orthogonal blocks 90° within 1e-6°; effective rank
// of ΔW = B·A against a dense SVD of the d_out×d_in product within 1e-6; layer averages exact to 1e-12.
import * as assert from 'assert';
import { Matrix, matmul, sliceCols, sliceRows, zeros } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { effectiveRank } from '../../../../src/core/linalg/subspaces';
import { ResolvedModule } from '../../../../src/core/lora/linear-modules';
import { DataType } from '../../../../src/core/onnx/types';
import { anglesEvent } from '../../../../src/core/method/adapter-diagnostics';
import { setAdapterValues } from '../../../../src/core/method/adapter-values';
import { layerIndexOf } from '../../../../src/core/method/layer-index';
import { blockMapFor } from '../../../../src/core/thanora/block-map';

function moduleOf(peftName: string, dIn: number, dOut: number): ResolvedModule {
  return { peftName, node: '', output: `${peftName}/y`, op: 'MatMul', initializer: `${peftName}.weight`, stored: 'in_out', dIn, dOut, dtype: DataType.FLOAT };
}

// Rows of A (columns of B) of block k are scaled coordinate vectors e_{offset+i}: blocks are mutually orthogonal.
function orthogonalAdapter(r: number, dIn: number, dOut: number): { a: Matrix; b: Matrix } {
  const a = zeros(r, dIn);
  const b = zeros(dOut, r);
  for (let k = 0; k < r; k++) {
    a.data[k * dIn + k] = 1 + k;
    b.data[(dOut - 1 - k) * r + k] = 2 - k / 10;
  }
  return { a, b };
}

describe('method/adapter-diagnostics', () => {
  const blocks = blockMapFor([2, 3], 1);
  const blockMaps = new Map([
    ['model.layers.0.self_attn.q_proj', blocks],
    ['model.layers.0.mlp.down_proj', blocks],
  ]);
  const modules = [moduleOf('model.layers.0.self_attn.q_proj', 10, 12), moduleOf('model.layers.0.mlp.down_proj', 9, 11)];

  it('orthogonal task blocks are 90° apart on both sides, per module and per layer', () => {
    const values = new Map<string, Float32Array>();
    for (const m of modules) {
      const { a, b } = orthogonalAdapter(6, m.dIn, m.dOut);
      setAdapterValues(values, m.peftName, a, b);
    }
    const event = anglesEvent(5, { rank: 6, blockMaps }, modules, values);
    assert.strictEqual(event.step, 5);
    for (const p of [...event.modules.flatMap((m) => m.pairs), ...event.layers[0].pairs]) {
      assert.deepStrictEqual(p.pair, [0, 1]);
      for (const v of [p.meanA, p.minA, p.meanB, p.minB]) assert.ok(Math.abs(v - 90) <= 1e-6, `${v}`);
    }
    assert.deepStrictEqual(event.layers.map((l) => l.layer), [0]);
  });

  it('effective ranks of the blocks and of ΔW match dense SVDs; identical blocks give 0° angles', () => {
    const rng = seededRng(5);
    const values = new Map<string, Float32Array>();
    const dense = new Map<string, { a: Matrix; b: Matrix }>();
    for (const m of modules) {
      const a = randomNormalMatrix(6, m.dIn, rng);
      const b = randomNormalMatrix(m.dOut, 6, rng);
      // Task 1's first row repeats task 0's first row: the minimum A angle is 0.
      a.data.set(a.data.subarray(0, m.dIn), 2 * m.dIn);
      const rounded = { a: { ...a, data: Float64Array.from(Float32Array.from(a.data)) }, b: { ...b, data: Float64Array.from(Float32Array.from(b.data)) } };
      setAdapterValues(values, m.peftName, a, b);
      dense.set(m.peftName, rounded);
    }
    const event = anglesEvent(0, { rank: 6, blockMaps }, modules, values);
    for (const m of event.modules) {
      const { a, b } = dense.get(m.module)!;
      const sub = (start: number, end: number) => effectiveRank(matmul(sliceCols(b, start, end), sliceRows(a, start, end)));
      assert.ok(Math.abs(m.effectiveRank.delta - effectiveRank(matmul(b, a))) <= 1e-6, `${m.module} ΔW`);
      assert.ok(Math.abs(m.effectiveRank.tasks[0] - sub(0, 2)) <= 1e-6);
      assert.ok(Math.abs(m.effectiveRank.tasks[1] - sub(2, 5)) <= 1e-6);
      assert.ok(Math.abs(m.effectiveRank.cooperative! - sub(5, 6)) <= 1e-6);
      assert.ok(Math.abs(m.pairs[0].minA) <= 1e-4, `min A angle ${m.pairs[0].minA}`);
      assert.ok(m.pairs[0].minB > 1);
    }
    const layer = event.layers[0].pairs[0];
    assert.ok(Math.abs(layer.meanB - (event.modules[0].pairs[0].meanB + event.modules[1].pairs[0].meanB) / 2) <= 1e-12);
  });

  it('layerIndexOf reads the layer from PEFT names', () => {
    assert.strictEqual(layerIndexOf('model.layers.3.self_attn.q_proj'), 3);
    assert.strictEqual(layerIndexOf('transformer.h.11.attn.c_attn'), 11);
    assert.strictEqual(layerIndexOf('bert.encoder.layer.2.attention.self.query'), 2);
    assert.strictEqual(layerIndexOf('lm_head'), -1);
    assert.strictEqual(layerIndexOf('model.layers_norm.q'), -1);
  });
});
