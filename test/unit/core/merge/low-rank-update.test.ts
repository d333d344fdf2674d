// addLowRankInPlace against a float64 dense oracle: W + Σ s·B·A computed element by element.
// Tolerances: float64 weights 1e-12 relative (summation order only); float32 weights half an ulp of float32
// (2⁻²⁴ relative to each element, one rounding); float16 half an ulp of float16 (2⁻¹¹).
import * as assert from 'assert';
import { LoraTerm, addLowRankInPlace, lowRankUpdate } from '../../../../src/core/merge/low-rank-update';
import { MergeMismatchError, MergeOutputError } from '../../../../src/core/merge/merge-errors';
import { floatsToBytes, halfToFloat } from '../../../../src/core/onnx/tensor-data';
import { DataType } from '../../../../src/core/onnx/types';

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

const dOut = 5;
const dIn = 7;
const random = seeded(3);
const W = Float64Array.from({ length: dOut * dIn }, random); // out_in, PEFT orientation
const terms: LoraTerm[] = [
  { rank: 3, scale: 2, A: Array.from({ length: 3 * dIn }, random), B: Array.from({ length: dOut * 3 }, random) },
  { rank: 2, scale: -2, A: Array.from({ length: 2 * dIn }, random), B: Array.from({ length: dOut * 2 }, random) },
];

// Oracle: W[o, i] + Σ_terms s·Σ_j B[o, j]·A[j, i].
function expectedOutIn(): Float64Array {
  const out = Float64Array.from(W);
  for (const t of terms) {
    for (let o = 0; o < dOut; o++) for (let i = 0; i < dIn; i++) for (let j = 0; j < t.rank; j++) out[o * dIn + i] += t.scale * t.B[o * t.rank + j] * t.A[j * dIn + i];
  }
  return out;
}

const transposeOf = (m: Float64Array, rows: number, cols: number) => Float64Array.from({ length: rows * cols }, (_, k) => m[(k % rows) * cols + Math.floor(k / rows)]);

function readBack(bytes: Uint8Array, dataType: DataType): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / (dataType === DataType.DOUBLE ? 8 : dataType === DataType.FLOAT ? 4 : 2);
  return Array.from({ length: n }, (_, i) =>
    dataType === DataType.DOUBLE ? dv.getFloat64(i * 8, true) : dataType === DataType.FLOAT ? dv.getFloat32(i * 4, true) : halfToFloat(dv.getUint16(i * 2, true)),
  );
}

describe('addLowRankInPlace', () => {
  const update = lowRankUpdate(dOut, dIn, terms);
  const cases: [DataType, number][] = [
    [DataType.DOUBLE, 1e-12],
    [DataType.FLOAT, 2 ** -24],
    [DataType.FLOAT16, 2 ** -11],
  ];
  for (const layout of ['out_in', 'in_out'] as const) {
    for (const [dataType, tol] of cases) {
      it(`${layout} ${DataType[dataType]}: equals W + Σ s·B·A rounded once`, () => {
        const stored = layout === 'out_in' ? W : transposeOf(W, dOut, dIn);
        const start = floatsToBytes(stored, dataType);
        // The start value is itself rounded: the oracle starts from the rounded W.
        const rounded = Float64Array.from(readBack(start, dataType));
        const wStart = layout === 'out_in' ? rounded : transposeOf(rounded, dIn, dOut);
        const expected = expectedOutIn().map((v, k) => v - W[k] + wStart[k]);
        // Offset by 3 bytes: weights inside a protobuf buffer are not aligned.
        const buffer = new Uint8Array(start.length + 3);
        buffer.set(start, 3);
        const bytes = buffer.subarray(3);
        addLowRankInPlace({ bytes, dims: layout === 'out_in' ? [dOut, dIn] : [dIn, dOut], dataType, layout, where: 'w' }, update);
        const got = readBack(bytes, dataType);
        const gotOutIn = layout === 'out_in' ? got : Array.from(transposeOf(Float64Array.from(got), dIn, dOut));
        gotOutIn.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) <= tol * Math.max(Math.abs(expected[k]), 2 ** -14), `${k}: ${v} vs ${expected[k]}`));
      });
    }
  }

  it('the factors are [s₁B₁, s₂B₂] and [A₁; A₂]', () => {
    assert.strictEqual(update.rank, 5);
    assert.strictEqual(update.left[0 * 5 + 3], -2 * (terms[1].B[0] as number));
    assert.strictEqual(update.right[3 * dIn + 1], terms[1].A[1]);
  });

  it('dims that do not fit the adapter, a non-float weight and an overflow are named errors', () => {
    const bytes = floatsToBytes(W, DataType.FLOAT);
    assert.throws(() => addLowRankInPlace({ bytes, dims: [dOut, dIn], dataType: DataType.FLOAT, layout: 'in_out', where: 'init q' }, update), (e: Error) => e instanceof MergeMismatchError && /init q: the base weight has dims \[5,7\].*needs \[7,5\]/.test(e.message));
    assert.throws(() => addLowRankInPlace({ bytes, dims: [dOut, dIn], dataType: DataType.INT32, layout: 'out_in', where: 'w' }, update), MergeMismatchError);
    assert.throws(() => lowRankUpdate(dOut, dIn + 1, terms, 'mod'), /mod: A has 21 values/);
    const huge = lowRankUpdate(dOut, dIn, [{ rank: 1, scale: 1e5, A: new Array(dIn).fill(1), B: new Array(dOut).fill(1) }]);
    const half = floatsToBytes(W, DataType.FLOAT16);
    assert.throws(() => addLowRankInPlace({ bytes: half, dims: [dOut, dIn], dataType: DataType.FLOAT16, layout: 'out_in', where: 'w16' }, huge), (e: Error) => e instanceof MergeOutputError && /FLOAT16 cannot hold/.test(e.message));
  });
});
