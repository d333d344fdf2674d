// The update a merge adds to one weight, as two factors: ΔW = L·R (d_out×d_in, PEFT orientation) with
// L = [s₁·B₁, s₂·B₂, …] (d_out×R) and R = [A₁; A₂; …] (R×d_in). A trained LoRA is one term (s·B·A); a residual
// checkpoint adds a second, (−s)·B₀·A₀, so L·R = s·(B·A − B₀·A₀), the same factors as the rank-2r PEFT export.
// The update is added to the stored bytes row by row in float64 and rounded once to the weight's dtype, so
// memory beyond the weight itself is one row plus the factors.
import { bfloat16ToFloat, elementCount, floatToBfloat16, floatToHalf, halfToFloat } from '../onnx/tensor-data';
import { DataType, dataTypeName, dataTypeSize } from '../onnx/types';
import { MergeMismatchError, MergeOutputError } from './merge-errors';

export type WeightLayout = 'in_out' | 'out_in';

/** One LoRA product s·B·A: A [rank, d_in], B [d_out, rank], row-major. */
export interface LoraTerm {
  A: ArrayLike<number>;
  B: ArrayLike<number>;
  rank: number;
  scale: number;
}

export interface LowRankUpdate {
  dOut: number;
  dIn: number;
  rank: number;
  /** L = [s·B …], d_out×rank, row-major. */
  left: Float64Array;
  /** R = [A; …], rank×d_in, row-major. */
  right: Float64Array;
}

export function lowRankUpdate(dOut: number, dIn: number, terms: readonly LoraTerm[], where = 'update'): LowRankUpdate {
  const rank = terms.reduce((sum, t) => sum + t.rank, 0);
  const left = new Float64Array(dOut * rank);
  const right = new Float64Array(rank * dIn);
  let offset = 0;
  for (const t of terms) {
    if (t.A.length !== t.rank * dIn || t.B.length !== dOut * t.rank) {
      throw new MergeMismatchError(
        `${where}: A has ${t.A.length} values and B ${t.B.length}, but rank ${t.rank} on a ${dIn} → ${dOut} weight needs A [${t.rank}, ${dIn}] and B [${dOut}, ${t.rank}]`,
      );
    }
    for (let o = 0; o < dOut; o++) {
      for (let j = 0; j < t.rank; j++) left[o * rank + offset + j] = t.scale * t.B[o * t.rank + j];
    }
    for (let k = 0; k < t.rank * dIn; k++) right[offset * dIn + k] = t.A[k];
    offset += t.rank;
  }
  return { dOut, dIn, rank, left, right };
}

interface ElementCodec {
  read(dv: DataView, index: number): number;
  write(dv: DataView, index: number, value: number): void;
}

const codecs: Partial<Record<DataType, ElementCodec>> = {
  [DataType.FLOAT]: { read: (dv, i) => dv.getFloat32(i * 4, true), write: (dv, i, v) => dv.setFloat32(i * 4, v, true) },
  [DataType.DOUBLE]: { read: (dv, i) => dv.getFloat64(i * 8, true), write: (dv, i, v) => dv.setFloat64(i * 8, v, true) },
  [DataType.FLOAT16]: { read: (dv, i) => halfToFloat(dv.getUint16(i * 2, true)), write: (dv, i, v) => dv.setUint16(i * 2, floatToHalf(v), true) },
  [DataType.BFLOAT16]: {
    read: (dv, i) => bfloat16ToFloat(dv.getUint16(i * 2, true)),
    write: (dv, i, v) => dv.setUint16(i * 2, floatToBfloat16(v), true),
  },
};

export interface StoredWeight {
  /** The initializer's element bytes; changed in place. */
  bytes: Uint8Array;
  dims: readonly number[];
  dataType: DataType;
  layout: WeightLayout;
  /** Names the weight in errors (initializer and module). */
  where: string;
}

function checkStored(w: StoredWeight, u: LowRankUpdate): ElementCodec {
  const codec = codecs[w.dataType];
  if (!codec) throw new MergeMismatchError(`${w.where}: weight dtype ${dataTypeName(w.dataType)} cannot be merged; only FLOAT, FLOAT16, BFLOAT16 and DOUBLE weights can`);
  const expected = w.layout === 'out_in' ? [u.dOut, u.dIn] : [u.dIn, u.dOut];
  if (w.dims.length !== 2 || w.dims[0] !== expected[0] || w.dims[1] !== expected[1]) {
    throw new MergeMismatchError(
      `${w.where}: the base weight has dims [${w.dims}] but the adapter is ${u.dIn} → ${u.dOut}, which stored as '${w.layout}' needs [${expected}]; the adapter was trained on another base model`,
    );
  }
  const bytes = elementCount(w.dims) * dataTypeSize[w.dataType];
  if (w.bytes.byteLength !== bytes) throw new MergeMismatchError(`${w.where}: the weight holds ${w.bytes.byteLength} bytes, dims [${w.dims}] need ${bytes}; the model file is corrupt`);
  return codec;
}

/**
 * W ← W + L·R in the stored layout. 'out_in' rows are W[o, :] += Σ_j L[o, j]·R[j, :]; 'in_out' rows are
 * W[i, :] += Σ_j R[j, i]·Lᵀ[j, :], so both loops run along contiguous rows.
 */
export function addLowRankInPlace(w: StoredWeight, u: LowRankUpdate): void {
  const codec = checkStored(w, u);
  const outIn = w.layout === 'out_in';
  const [rows, cols] = outIn ? [u.dOut, u.dIn] : [u.dIn, u.dOut];
  const r = u.rank;
  // Row factors: rows of R for 'out_in', rows of Lᵀ for 'in_out'.
  const basis = outIn ? u.right : new Float64Array(r * u.dOut);
  if (!outIn) for (let o = 0; o < u.dOut; o++) for (let j = 0; j < r; j++) basis[j * u.dOut + o] = u.left[o * r + j];
  const coefficient = outIn ? (p: number, j: number) => u.left[p * r + j] : (p: number, j: number) => u.right[j * u.dIn + p];
  const dv = new DataView(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength);
  const row = new Float64Array(cols);
  for (let p = 0; p < rows; p++) {
    const base = p * cols;
    for (let q = 0; q < cols; q++) row[q] = codec.read(dv, base + q);
    for (let j = 0; j < r; j++) {
      const c = coefficient(p, j);
      if (c === 0) continue;
      const off = j * cols;
      for (let q = 0; q < cols; q++) row[q] += c * basis[off + q];
    }
    for (let q = 0; q < cols; q++) {
      codec.write(dv, base + q, row[q]);
      if (!Number.isFinite(codec.read(dv, base + q))) {
        throw new MergeOutputError(
          `${w.where}: the merged weight at [${p}, ${q}] is ${row[q]}, which ${dataTypeName(w.dataType)} cannot hold; the adapter has diverged (check the run's loss) or the weight type is too narrow`,
        );
      }
    }
  }
}
